"""HELD-OUT personal-data corpus: names, addresses and organisations in business prompts.

Written before the recognizers in warden/dlp/recognizers/person_records.py,
person_fields.py and street_address.py, and never used to tune them: its misses are
reported, not fixed one by one (tuning happens on pii_tuning.py). Fresh values on every
seed: names from Faker locales, some of them locales the given-name list is not built from
(sv_SE, pt_PT, ro_RO, cs_CZ, fi_FI), street names, numbers and postcodes made up per call.

Labels: PERSON (the whole name), ADDRESS (street, number, postcode and city as one span),
LOCATION (a city or country standing alone), ORGANIZATION, and the numbers and e-mails
around them (EMAIL_ADDRESS, PHONE_NUMBER, IBAN_CODE). Samples without labels are hard
negatives: code, technical prose, product and newspaper names.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from faker import Faker

from tests.dlp.corpus import Sample, _Builder

__all__ = ["build_heldout"]

_LIST_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "en_IN")
_OTHER_LOCALES = ("sv_SE", "pt_PT", "ro_RO", "cs_CZ", "fi_FI")

_US_TYPES = ("St", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Drive", "Dr", "Lane",
             "Ln", "Way", "Court", "Place", "Terrace", "Parkway", "Circle", "Trail")  # fmt: skip
_US_STATES = ("IL", "CA", "NY", "TX", "WA", "OR", "MA", "FL", "GA", "OH", "PA", "NC")
_UK_TYPES = ("Street", "Road", "Lane", "Close", "Avenue", "Gardens", "Crescent", "Grove",
             "Place", "Terrace", "Mews", "Square", "Drive", "Hill")  # fmt: skip
_UK_TOWNS = ("London", "Manchester", "Leeds", "Bristol", "York", "Cardiff", "Oxford", "Bath")
_DE_TYPES = ("straße", "str.", "weg", "allee", "platz", "gasse", "ring", "damm")
_FR_TYPES = ("rue", "avenue", "boulevard", "place", "impasse", "chemin", "allée", "quai")
_FR_CITIES = ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux")
_NL_TYPES = ("straat", "laan", "weg", "gracht", "plein", "kade", "singel", "dijk")
_NL_CITIES = ("Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Eindhoven", "Groningen")


class _People:
    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.fakes = {}
        for i, loc in enumerate(_LIST_LOCALES + _OTHER_LOCALES):
            fake = Faker(loc)
            fake.seed_instance(seed * 31 + i)
            self.fakes[loc] = fake
        self.en = self.fakes["en_US"]

    def fake(self) -> Faker:
        # Two in five names from locales the given-name list knows nothing about.
        pool = _OTHER_LOCALES if self.rng.random() < 0.4 else _LIST_LOCALES
        return self.fakes[self.rng.choice(pool)]

    def name(self) -> str:
        fake = self.fake()
        return f"{fake.first_name()} {fake.last_name()}"

    def email_for(self, name: str) -> str:
        first, last = name.lower().split(" ", 1)[0], name.lower().split(" ")[-1]
        local = self.rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}"])
        local = local.encode("ascii", "ignore").decode() or "contact"
        return f"{local}@{self.en.domain_name()}"

    def phone(self) -> str:
        return self.fake().phone_number()

    def company(self) -> str:
        return self.fake().company()


def _address(rng: random.Random, en: Faker, de: Faker) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        apt = rng.choice(["", f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}",
                          f" Suite {rng.randint(100, 900)}"])  # fmt: skip
        return (f"{rng.randint(1, 9999)} {en.last_name()} {rng.choice(_US_TYPES)}{apt}, "
                f"{en.city()}, {rng.choice(_US_STATES)} {rng.randint(10000, 99999)}")  # fmt: skip
    if kind == 1:
        letters = "ABCDEFGHJKLMNPRSTUWY"
        code = (f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(1, 20)} "
                f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}")  # fmt: skip
        number = f"{rng.randint(1, 300)}{rng.choice(['', '', 'A', 'B'])}"
        return f"{number} {en.last_name()} {rng.choice(_UK_TYPES)}, {rng.choice(_UK_TOWNS)} {code}"
    if kind == 2:
        base = rng.choice([de.last_name(), f"{de.first_name()}-{de.last_name()}-", "Haupt",
                           "Bahnhof", "Linden", "Garten"])  # fmt: skip
        kind_de = rng.choice(_DE_TYPES)
        street = base + (kind_de.capitalize() if base.endswith("-") else kind_de)
        return f"{street} {rng.randint(1, 200)}, {rng.randint(10000, 99999)} {de.city()}"
    if kind == 3:
        number = f"{rng.randint(1, 150)}{rng.choice(['', '', ' bis'])}"
        words = rng.choice(["de la Paix", "Victor Hugo", "des Lilas", "du Moulin", "Pasteur",
                            "de la République", "Jean Jaurès"])  # fmt: skip
        code = f"{rng.randint(10, 95):02d}{rng.randint(0, 999):03d}"
        return f"{number} {rng.choice(_FR_TYPES)} {words}, {code} {rng.choice(_FR_CITIES)}"
    stem = rng.choice(["Keizers", "Heren", "Prinsen", "Dorp", "Kerk", "Molen", "Beuken", "Linden"])
    nl = "ABCDEFGHJKLMNPRSTVWXZ"
    postcode = f"{rng.randint(1000, 9999)} {rng.choice(nl)}{rng.choice(nl)}"
    return (
        f"{stem}{rng.choice(_NL_TYPES)} {rng.randint(1, 400)}, {postcode} {rng.choice(_NL_CITIES)}"
    )


_HARD_NEGATIVES = (
    "We are moving from RabbitMQ to Apache Kafka. Compare consumer groups in Kafka with "
    "competing consumers, and mention Confluent Cloud pricing.",
    "Summarise this New York Times article about the Federal Reserve in three bullet points.",
    "Upgrade from Python 3.11.4 to 3.12.1 broke numpy 1.26.4; pip says 'No matching "
    "distribution'. What changed in setuptools 69.0.2?",
    "```python\nclass UserProfile(BaseModel):\n    first_name: str\n    last_name: str\n"
    "    email: EmailStr\n\ndef full_name(user: UserProfile) -> str:\n"
    '    return f"{user.first_name} {user.last_name}"\n```\nWhy does mypy complain?',
    "name: Build and test\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - name: Run Tests\n        run: make test\n",
    "// TODO: move the Main St geocoding fallback into AddressService\n"
    "const street = parseStreet(input); // e.g. 'Main St'\nreturn normalize(street);",
    "SELECT customer_name, email, city FROM customers WHERE created_at > '2024-01-01' "
    "ORDER BY customer_name LIMIT 50;",
    "git log --oneline\n3f2a1c9 Merge branch 'feature/address-parser'\n"
    "9b8c7d6 Fix Apple Pay button on Safari 17.2\n1a2b3c4 Bump React Native to 0.73.2",
    "Explain the difference between Amazon Web Services Lambda and Google Cloud Run for a "
    "Spring Boot 3.2 service behind an Azure Front Door.",
    "docker compose up -d\n services:\n  web:\n    image: nginx:1.25.3\n    ports:\n"
    '      - "8080:80"\n    container_name: frontend_web\n',
    "Our Jira board has columns To Do, In Progress, Code Review and Done. Write a Slack "
    "message announcing Sprint 42 planning on Monday.",
    "Rewrite this error for users: 'ValueError: invalid literal for int() with base 10: "
    '"12 Main"\' in parse_house_number() at line 114.',
    "const headers = ['Name', 'Email', 'Phone', 'City'];\nrows.map(r => [r.name, r.email, "
    "r.phone, r.city].join(','));",
    "Use the Visual Studio Code extension Live Share with GitHub Copilot Chat and Windows "
    "Subsystem for Linux 2.",
)


def build_heldout(seed: int, samples: int = 200) -> list[Sample]:
    rng = random.Random(seed)
    people = _People(rng, seed)
    en, de = people.en, people.fakes["de_DE"]

    def records() -> Sample:
        b = _Builder("heldout:name-email-phone-city").add("Please dedupe these contacts:\n")
        for _ in range(rng.randint(3, 6)):
            name = people.name()
            b.add("- ").add(name, "PERSON").add(" - ").add(people.email_for(name), "EMAIL_ADDRESS")
            b.add(" - ").add(people.phone(), "PHONE_NUMBER").add(" - ")
            b.add(people.fake().city(), "LOCATION").add("\n")
        return b.build()

    def csv() -> Sample:
        b = _Builder("heldout:csv").add("Clean up this export and flag duplicates:\n\n")
        b.add(rng.choice(["full_name,email,phone,city\n", "name;email;phone;city\n"]))
        sep = "," if "," in b.parts[-1] else ";"
        for _ in range(rng.randint(3, 8)):
            name = people.name()
            b.add(name, "PERSON").add(sep).add(people.email_for(name), "EMAIL_ADDRESS").add(sep)
            b.add(people.phone(), "PHONE_NUMBER").add(sep).add(people.fake().city(), "LOCATION")
            b.add("\n")
        return b.build()

    def table() -> Sample:
        b = _Builder("heldout:markdown").add("Turn this into a polite reminder for each row:\n\n")
        b.add("| Customer | E-mail | Invoice | Amount |\n|---|---|---|---|\n")
        for _ in range(rng.randint(2, 5)):
            name = people.name()
            b.add("| ").add(name, "PERSON").add(" | ").add(people.email_for(name), "EMAIL_ADDRESS")
            b.add(f" | INV-{rng.randint(1000, 9999)} | {rng.randint(50, 5000)}.00 EUR |\n")
        return b.build()

    def caps() -> Sample:
        b = _Builder("heldout:caps")
        label = rng.choice(["NAME", "EMPLOYEE", "PATIENT NAME", "CUSTOMER", "APPLICANT"])
        b.add("Translate this form to English and fill the gaps:\n\n").add(f"{label}: ")
        b.add(people.name().upper(), "PERSON")
        b.add(f"\nDEPARTMENT: {rng.choice(['FINANCE', 'SALES', 'LOGISTICS', 'HR'])}\n")
        b.add("MANAGER: ").add(people.name().upper(), "PERSON").add("\nSTART DATE: 2024-0")
        b.add(f"{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n")
        return b.build()

    def lower() -> Sample:
        b = _Builder("heldout:lower")
        verb = rng.choice(["send it to ", "please loop in ", "can you ask ", "forward this to "])
        b.add(verb).add(people.name().lower(), "PERSON").add(" and ")
        b.add(rng.choice(["cc ", "also ", ""])).add(people.name().lower(), "PERSON")
        b.add(rng.choice([", thanks", " before friday", " about the renewal"]))
        return b.build()

    def prose() -> Sample:
        b = _Builder("heldout:prose")
        b.add("Draft a follow-up to ").add(people.name(), "PERSON").add(" from ")
        b.add(people.company(), "ORGANIZATION").add(" about the delayed shipment. ")
        b.add("Mention that ").add(people.name(), "PERSON").add(" from our side will call.")
        return b.build()

    def letter() -> Sample:
        b = _Builder("heldout:letter").add("Write a formal complaint to my landlord:\n\n")
        b.add(people.name(), "PERSON").add("\n").add(_address(rng, en, de), "ADDRESS")
        b.add("\n\nThe heating has been broken since November.")
        return b.build()

    def shipping() -> Sample:
        b = _Builder("heldout:shipping").add("Ship the replacement unit to ")
        b.add(_address(rng, en, de), "ADDRESS").add(", attention ")
        b.add(people.name(), "PERSON").add(". Phone ").add(people.phone(), "PHONE_NUMBER")
        return b.build()

    def german() -> Sample:
        b = _Builder("heldout:german").add("Bitte den Brief an ")
        b.add(f"{de.first_name()} {de.last_name()}", "PERSON").add(", ")
        b.add(_address(rng, en, de), "ADDRESS").add(" schicken. Ansprechpartner: ")
        b.add(f"{de.first_name()} {de.last_name()}", "PERSON").add(".")
        return b.build()

    def json_record() -> Sample:
        name = people.name()
        b = _Builder("heldout:json").add('Why does this payload fail validation?\n{"customer": "')
        b.add(name, "PERSON").add('", "email": "').add(people.email_for(name), "EMAIL_ADDRESS")
        b.add('", "shipping_address": "').add(_address(rng, en, de), "ADDRESS")
        b.add('", "iban": "').add(people.fake().iban(), "IBAN_CODE").add('"}')
        return b.build()

    def corroborated() -> Sample:
        name = people.name()
        b = _Builder("heldout:email-nearby").add("Reply to ")
        b.add(name if rng.random() < 0.5 else name.lower(), "PERSON").add(" (")
        b.add(people.email_for(name), "EMAIL_ADDRESS").add(") that the contract with ")
        b.add(people.company(), "ORGANIZATION").add(" is renewed.")
        return b.build()

    def negative() -> Sample:
        return Sample("heldout:negative", rng.choice(_HARD_NEGATIVES))

    makers: list[Callable[[], Sample]] = [
        records, csv, table, caps, lower, prose, letter, shipping, german, json_record,
        corroborated, negative, negative,
    ]  # fmt: skip
    return [makers[i % len(makers)]() for i in range(samples)]
