"""TUNING personal-data corpus: where the name, record and address recognizers' misses were
studied and fixed (the held-out corpus, pii_heldout.py, is not). Other templates than the
held-out set's: tab-separated exports, `Last, First`-free contact lines with en dashes,
e-mail headers, ALL CAPS shipping labels, Title-case names the model types as companies,
and a larger share of hard negatives from code. Fresh values for every seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from faker import Faker

from tests.dlp.corpus import Sample, _Builder

__all__ = ["build_tuning"]

_LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "nl_NL", "es_ES", "en_IN", "it_IT", "pl_PL")
_CODE = (
    "def get_user(name: str) -> User:\n    user = User.objects.get(name=name)\n"
    "    return user  # grace period handled in middleware\n",
    "const contact = { name: 'default', email: process.env.SMTP_FROM };\n"
    "sendMail(contact, { to: recipient, cc: manager });",
    "SELECT first_name, last_name, email FROM employees e JOIN departments d ON d.id = e.dept;",
    "kind: Deployment\nmetadata:\n  name: payments-api\n  labels:\n    owner: platform-team\n",
    "Ask Claude Code to refactor the Julia package and run Ruby on Rails tests with Max Retries.",
    "max_retries = 5\nRAY_ADDRESS = 'auto'\nwill_retry = grace_period > 0  # mark as done",
    "| Service | Owner | Port |\n|---|---|---|\n| billing | payments | 8080 |\n"
    "| auth | identity | 9090 |",
    'In Spring Boot 3.2, @Value("${server.port}") reads the port; Java 21 and Kotlin 1.9 '
    "both work.",
    "The Apache Kafka and New York Times integration moved to 55 Water Street? No, that is a "
    "typo for port 55.",
    "git commit -m 'Fix address parser for Main St and Baker Street (no numbers)'",
)


def build_tuning(seed: int, samples: int = 200) -> list[Sample]:
    rng = random.Random(seed + 7_919)
    fakes = []
    for i, loc in enumerate(_LOCALES):
        fake = Faker(loc)
        fake.seed_instance(seed * 17 + i)
        fakes.append(fake)

    def person() -> str:
        fake = rng.choice(fakes)
        return f"{fake.first_name()} {fake.last_name()}"

    def email(name: str) -> str:
        first, last = name.lower().split()[0], name.lower().split()[-1]
        local = f"{first}.{last}".encode("ascii", "ignore").decode()
        return f"{local}@{fakes[0].domain_name()}"

    def tsv() -> Sample:
        b = _Builder("tuning:tsv").add("name\temail\tcompany\tcity\n")
        for _ in range(rng.randint(2, 5)):
            n = person()
            b.add(n, "PERSON").add("\t").add(email(n), "EMAIL_ADDRESS").add("\t")
            b.add(rng.choice(fakes).company(), "ORGANIZATION").add("\t")
            b.add(rng.choice(fakes).city(), "LOCATION").add("\n")
        return b.build()

    def en_dash() -> Sample:
        b = _Builder("tuning:en-dash").add("Call list for today:\n")
        for _ in range(rng.randint(2, 4)):
            n = person()
            b.add(n, "PERSON").add(" \u2013 ").add(rng.choice(fakes).phone_number(), "PHONE_NUMBER")
            b.add("\n")
        return b.build()

    def header() -> Sample:
        n, m = person(), person()
        b = _Builder("tuning:mail-header").add("From: ").add(n, "PERSON").add(" <")
        b.add(email(n), "EMAIL_ADDRESS").add(">\nTo: ").add(m, "PERSON").add("\n")
        b.add("Subject: contract renewal\n\nPlease summarise the thread.")
        return b.build()

    def label() -> Sample:
        b = _Builder("tuning:label").add("SHIP TO: ").add(person().upper(), "PERSON").add("\n")
        fake = fakes[2]
        b.add(f"{fake.street_name()} {rng.randint(1, 99)}, {fake.postcode()} {fake.city()}".upper())
        b.labels.append(b.labels[-1].__class__("ADDRESS", b.length - len(b.parts[-1]), b.length))
        b.add("\nREF: ORDER-" + str(rng.randint(1000, 9999)))
        return b.build()

    def lower_cc() -> Sample:
        b = _Builder("tuning:lower").add("pls cc ").add(person().lower(), "PERSON")
        b.add(" on the invoice and thank ").add(person().lower(), "PERSON").add(" for the intro")
        return b.build()

    def address_us() -> Sample:
        fake = fakes[0]
        addr = (f"{rng.randint(10, 9999)} {fake.last_name()} Ave, Suite {rng.randint(100, 500)}, "
                f"{fake.city()}, {fake.state_abbr()} {fake.postcode()}")  # fmt: skip
        b = _Builder("tuning:us").add("Update the billing address to ").add(addr, "ADDRESS")
        return b.add(" for the Northwind account.").build()

    def dutch() -> Sample:
        fake = fakes[4]
        addr = f"{fake.street_name()} {rng.randint(1, 300)}, {fake.postcode()} {fake.city()}"
        b = _Builder("tuning:nl").add("Graag factuur sturen naar ").add(addr, "ADDRESS")
        return b.add(", t.a.v. ").add(person(), "PERSON").add(".").build()

    def code() -> Sample:
        return Sample("tuning:negative", rng.choice(_CODE))

    makers: list[Callable[[], Sample]] = [
        tsv, en_dash, header, label, lower_cc, address_us, dutch, code, code, code,
    ]  # fmt: skip
    return [makers[i % len(makers)]() for i in range(samples)]
