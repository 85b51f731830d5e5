"""Names in records, fields, ALL CAPS and lower case; street addresses; and what must stay
untouched: code, identifiers, product and newspaper names, streets without a number."""

from __future__ import annotations

import random

import pytest

from tests.dlp.pii_heldout import build_heldout
from tests.dlp.scoring import Span
from tests.dlp.token_scoring import ANY, format_f2_table, token_scores
from warden.dlp.recognizers import NAME_ADDRESS_RECOGNIZERS
from warden.dlp.recognizers.given_names import given_names, is_given_name
from warden.dlp.scanner import Scanner

_OURS = frozenset(cls.__name__ for cls in NAME_ADDRESS_RECOGNIZERS)


def _found(scanner: Scanner, text: str, entity: str) -> list[str]:
    return [text[f.start : f.end] for f in scanner.scan_text(text) if f.entity_type == entity]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("- Janice Clayton - jclayton@mora-sharp.com - 0470631500 - Leeds", "Janice Clayton"),
        ("full_name,email,phone\nRyan Gola,rgola@david.com,+34 887 817 360", "Ryan Gola"),
        ("| Customer | Mail |\n|--|--|\n| Fleur van Engeland | f@h.nl |", "Fleur van Engeland"),
        ("EMPLOYEE: MARÍA GARCÍA LÓPEZ\nDEPARTMENT: FINANCE", "MARÍA GARCÍA LÓPEZ"),
        ("NAME: JOHN SMITH\nDOB: 1980-01-01", "JOHN SMITH"),
        ("send it to john smith before friday", "john smith"),
        ('{"customer": "jan de vries", "plan": "pro"}', "jan de vries"),
        ("Ansprechpartner: Hans Müller, Vertrieb", "Hans Müller"),
        ("Nom : Camille Lefèvre\nVille : Lyon", "Camille Lefèvre"),
        ("Reply to Romulus Niță (romulus.nita@smith-wagner.com) today.", "Romulus Niță"),
        ("name\temail\nSvetlana Okafor\tsvetlana.okafor@example.org\n", "Svetlana Okafor"),
    ],
)  # fmt: skip
def test_names_in_records_fields_and_any_case_are_found(scanner: Scanner, text: str, name: str):
    """The whole name is reported as PERSON."""
    assert name in _found(scanner, text, "PERSON")


def test_a_record_says_person_where_the_model_says_company(scanner: Scanner):
    """In a contact row, the name cell is PERSON even if NER reads it as an organisation."""
    text = "Dear team, contacts:\nMark Scott, mark.scott@acme-corp.com, +1 415 555 0132\n"
    findings = [(f.entity_type, text[f.start : f.end]) for f in scanner.scan_text(text)]
    assert ("PERSON", "Mark Scott") in findings
    assert not any(t == "ORGANIZATION" and "Mark" in v for t, v in findings)


@pytest.mark.parametrize(
    "text",
    [
        "name: Build and test\non: [push]\njobs:\n  build:\n    steps:\n      - name: Run Tests\n",
        "def full_name(user):\n    return f'{user.first_name} {user.last_name}'\n",
        "john_smith = User(email='john.smith@example.com')  # JOHN_SMITH, johnSmith",
        "customer: Customer = get_customer(id)\nemployee: EmployeeRecord",
        "for user in users:\n    send_email(to=user.email, cc=manager)  # ask max retries",
        "Ask Claude Code to refactor the Julia package; run Ruby on Rails with max retries.",
        "We moved from RabbitMQ to Apache Kafka, per the New York Times piece on Confluent.",
        "Upgrade Python 3.11.4 to 3.12.1 and numpy 1.26.4; setuptools 69.0.2 broke it.",
        "SELECT first_name, last_name, email FROM employees WHERE city = 'Leeds';",
        "const headers = ['Name', 'Email', 'Phone', 'City'];",
        "metadata:\n  name: payments-api\n  labels:\n    owner: platform-team\n",
        "send it to grace period handling and mark as done",
    ],
)
def test_code_and_technical_prompts_get_no_names_from_the_new_recognizers(
    scanner: Scanner, text: str
):
    """Identifiers, product names and YAML keys are not people (NER's own output aside)."""
    ours = [
        (f.entity_type, text[f.start : f.end])
        for f in scanner.scan_text(text)
        if f.recognizer in _OURS
    ]
    assert ours == []


@pytest.mark.parametrize(
    "address",
    [
        "1234 Elm St, Apt 5B, Springfield, IL 62704",
        "221B Baker Street, London NW1 6XE",
        "Leopold-Jüttner-Straße 119, 28056 Fallingbostel",
        "Hauptstr. 5",
        "12 rue de la Paix, 75002 Paris",
        "Keizersgracht 123, 1015 CJ Amsterdam",
        "Berliner Straße 12a, 10115 Berlin",
        "75 bis boulevard des Lilas, 13008 Marseille",
        "500 Oak Avenue\nPortland, OR 97204",
    ],
)
def test_street_addresses_are_covered_whole(scanner: Scanner, address: str):
    """Street, number, postcode and city are one LOCATION finding."""
    text = f"Please send the contract to {address} by Friday."
    assert address in _found(scanner, text, "LOCATION")


@pytest.mark.parametrize(
    "text",
    [
        "// TODO: move the Main St geocoding fallback into AddressService",
        "We met at the Baker Street office.",
        "We released Spring 5; Boeing 747 parts; Windows 11 and Python 3 Docs.",
        'ValueError: invalid literal for int(): "12 Main" in parse_house_number()',
        "street = 'Elm St'  # no number: not an address",
        "Version 2 Way of working; 3 rue",
    ],
)
def test_streets_without_a_house_number_are_not_addresses(scanner: Scanner, text: str):
    assert not [f for f in scanner.scan_text(text) if f.recognizer == "StreetAddressRecognizer"]


def test_the_given_name_list_is_loaded_once_and_keeps_ambiguous_words_apart():
    assert given_names() is given_names()
    assert len(given_names()) > 5000
    assert is_given_name("JOSÉ") and is_given_name("jose") and is_given_name("Priya")
    assert not is_given_name("Grace") and is_given_name("Grace", strict=False)
    assert not is_given_name("Apache")


HELDOUT_FLOORS = {ANY: 0.91, "PERSON": 0.88, "ADDRESS": 0.94}


def test_heldout_token_f2_stays_above_its_floors(
    scanner: Scanner, capsys: pytest.CaptureFixture[str]
):
    """Measured 0.937-0.938 any-PII, 0.915-0.922 PERSON, 0.986-0.987 ADDRESS on fresh seeds
    (docs/dlp.md); the floors sit a little below so a regression fails."""
    seed = random.SystemRandom().randrange(10**6)
    corpus = build_heldout(seed, 195)
    results = [
        [Span(f.entity_type, f.start, f.end) for f in scanner.scan_text(s.text)] for s in corpus
    ]
    stats = token_scores(corpus, results)
    with capsys.disabled():
        print(f"\nheld-out personal data, seed {seed}\n" + format_f2_table({"Warden": stats}))
    low = {k: round(stats[k].f2, 3) for k, floor in HELDOUT_FLOORS.items() if stats[k].f2 < floor}
    assert not low, f"seed {seed}: {low}"


# The attack review's false positives on code, confirmed through the proxy: each must give no
# PERSON (or, for F5, no LOCATION) finding at all, from any recognizer, NER included.
@pytest.mark.parametrize(
    "text",
    [
        "name: Build Docker Image\non: [push]\n",
        "jobs:\n  stale:\n    steps:\n      - name: Mark Stale Issues\n"
        "        uses: actions/stale@v9\n",
        "Name: Build Server\nPort: 8080\n",
        '{"name": "Victoria Secret Scanner", "contact": "Security Ops"}',
        "Contact: Developer Relations\n",
        "git push to jordan main; merge with dev branch",
        "$ git pull with maria gonzalez-fork",
        "name,email,role\nAdmin User,admin@example.com,admin\nApache Kafka,kafka@example.com,svc\n"
        "Jenkins Pipeline,ci@example.com,bot\nGrace Hopper Bot,bot@example.com,bot\n"
        "Test User,test@example.com,tester\n",
    ],
)
def test_step_names_git_lines_and_fixtures_are_not_people(scanner: Scanner, text: str):
    assert _found(scanner, text, "PERSON") == []


@pytest.mark.parametrize(
    "text",
    [
        "Removed 12 Park Place fixtures",
        "PROJ-1234: Move 500 Market Street office printers",
        'resource "aws_instance" "web" {\n  name = "10 Downing Street"\n}',
        "RUN npm ci # 5 Main Street tests",
        "X-Request-Id: 42 Queen Street",
        "300 Market Street Journal",
    ],
)
def test_a_number_and_a_street_name_in_code_are_not_an_address(scanner: Scanner, text: str):
    assert _found(scanner, text, "LOCATION") == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Shipping address: 500 Market Street", "500 Market Street"),
        ("Anschrift: Hauptstr. 5", "Hauptstr. 5"),
        ("Maria Gonzalez\n12 Park Place\nSpringfield", "12 Park Place"),
        ("ship to 42 elm street springfield il 62704 asap", "42 elm street springfield il 62704"),
        ("Bitte an Am Hang 7, 01099 Dresden schicken", "Am Hang 7, 01099 Dresden"),
        ("Stuur het naar Damrak 1, 1012 LG Amsterdam.", "Damrak 1, 1012 LG Amsterdam"),
        (
            "Mail it to 1600 Pennsylvania Avenue NW, Washington, DC 20500 today",
            "1600 Pennsylvania Avenue NW, Washington, DC 20500",
        ),
    ],
)
def test_a_street_and_number_count_with_a_label_a_block_or_a_tail(
    scanner: Scanner, text: str, address: str
):
    assert address in _found(scanner, text, "LOCATION")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("name: Maria Gonzalez\nrole: admin", "Maria Gonzalez"),
        ("name,email,role\nMaria Gonzalez,mg@example.com,admin\n", "Maria Gonzalez"),
        ("please loop in maria gonzalez about the renewal", "maria gonzalez"),
        ('{"contact": "Grace Hopper"}', "Grace Hopper"),
        ("Dear John White,", "John White"),
    ],
)
def test_real_names_still_pass_the_common_word_rules(scanner: Scanner, text: str, name: str):
    assert name in _found(scanner, text, "PERSON")


def test_an_email_without_the_accented_letters_still_spells_the_name(scanner: Scanner):
    text = "name;email;phone\nMiika Hänninen;miika.hnninen@example.fi;+358 155 765 878\n"
    assert "Miika Hänninen" in _found(scanner, text, "PERSON")


# The attack review's personal-data misses (P1, P3, P4, P6, P7): each rule found on one side,
# a code or technical hard negative on the other.
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Author: Priya Raghunathan <priya@example.com>\nDate:   Mon", ["Priya Raghunathan"]),
        ("Co-authored-by: Ingrid Solberg <is@users.noreply.github.com>", ["Ingrid Solberg"]),
        ('From: "Maria Gonzalez" <maria@corp.example>', ["Maria Gonzalez"]),
        ("Reply-To: tomasz wójcik <tw@x.pl>", ["tomasz wójcik"]),
        ('Cc: "Gonzalez, Maria" <mg@corp.example>', ["Gonzalez, Maria"]),
        (
            "To: Priya Raghunathan <p@x.com>, Chris Park <c@y.com>",
            ["Priya Raghunathan", "Chris Park"],
        ),
    ],
)
def test_the_display_name_before_an_email_in_angle_brackets_is_a_person(
    scanner: Scanner, text: str, names: list[str]
):
    found = _found(scanner, text, "PERSON")
    assert all(name in found for name in names), found


@pytest.mark.parametrize(
    "text",
    [
        "Author: Build Bot <ci@example.com>",
        "From: GitHub <noreply@github.com>",
        "To: Security Team <sec@example.com>, Release Manager <release@example.com>",
        'Signed-off-by: "dependabot[bot]" <support@github.com>',
        "maintainer: Platform Ops <platform@example.com>",
    ],
)
def test_a_team_role_or_product_before_an_email_is_not_a_person(scanner: Scanner, text: str):
    ours = [text[f.start : f.end] for f in scanner.scan_text(text) if f.recognizer in _OURS]
    assert ours == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('{"firstName":"Maria","lastName":"Gonzalez"}', ["Maria", "Gonzalez"]),
        ("first_name: maria\nlast_name: gonzalez\n", ["maria", "gonzalez"]),
        ("given_name: Priya\nfamily_name: Raghunathan\nmiddle_name: Devi", ["Priya", "Devi"]),
        ('surname = "Okafor"', ["Okafor"]),
        ('{"vorname": "Jürgen", "nachname": "Weiß"}', ["Jürgen", "Weiß"]),
        ('{"prénom": "Camille", "nom": "Lefèvre"}', ["Camille", "Lefèvre"]),
        ("{'voornaam': 'Sanne', 'achternaam': 'Bakker'}", ["Sanne", "Bakker"]),
        ("<firstName>Ana</firstName><lastName>de la Cruz</lastName>", ["Ana", "de la Cruz"]),
        ("FIRST_NAME=Maria\nLAST_NAME=Gonzalez\n", ["Maria", "Gonzalez"]),
    ],
)
def test_a_name_split_across_fields_is_found_part_by_part(
    scanner: Scanner, text: str, names: list[str]
):
    found = _found(scanner, text, "PERSON")
    assert all(name in found for name in names), found


@pytest.mark.parametrize(
    "text",
    [
        "first_name: str\nlast_name: Optional[str] = None\n",
        "interface User { firstName: string; lastName: string }",
        '{"first_name": "string", "last_name": "string"}',
        "first_name = get_first(user)\nself.last_name = surname\n",
        "last_name = models.CharField(max_length=50)",
        '{"lastName": "user_name", "firstName": "{{ user.first }}"}',
        "SELECT first_name, last_name FROM users WHERE surname IS NULL",
        "const lastName = user.lastName;",
    ],
)
def test_name_part_keys_in_code_and_schemas_are_not_values(scanner: Scanner, text: str):
    ours = [text[f.start : f.end] for f in scanner.scan_text(text) if f.recognizer in _OURS]
    assert ours == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Best,\nmaria gonzalez\nHR Business Partner", "maria gonzalez"),
        ("Kind regards,\n\nPriya Raghunathan\nStaff Engineer", "Priya Raghunathan"),
        ("Viele Grüße,\nKlaus Müller", "Klaus Müller"),
        ("Mit freundlichen Grüßen\nklaus müller", "klaus müller"),
        ("Cordialement,\nCamille Lefèvre", "Camille Lefèvre"),
        ("Thanks!\nIngrid", "Ingrid"),
        ("Cheers,\n-- Tomasz Wójcik", "Tomasz Wójcik"),
    ],
)
def test_a_signature_after_a_closing_is_a_person(scanner: Scanner, text: str, name: str):
    assert name in _found(scanner, text, "PERSON")


@pytest.mark.parametrize(
    "text",
    [
        "Thanks,\nBuild Team",
        "Cheers,\nthe platform team",
        "Thanks,\nRun Tests\n",
        "if score > best:\n    best = score\nreturn best\nvalue = x\n",
        "I like this one best,\nmaria gonzalez said so",
    ],
)
def test_a_team_or_code_after_a_closing_is_no_signature(scanner: Scanner, text: str):
    hits = [f for f in scanner.scan_text(text) if f.recognizer == "SignatureRecognizer"]
    assert hits == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("PATIENT MARIA GONZALEZ WAS ADMITTED ON 3/4", "MARIA GONZALEZ"),
        ("REF 22-114 PRIYA RAGHUNATHAN, DISCHARGED", "PRIYA RAGHUNATHAN"),
        ("ansprechpartner: herr dr. klaus müller", "klaus müller"),
        ("Kontakt: Frau Prof. Anna Schmidt", "Anna Schmidt"),
        ("please send it to Mme Camille Lefèvre", "Camille Lefèvre"),
        ("THANK YOU JOHN SMITH", "JOHN SMITH"),
        ("thank you maria gonzalez for the help", "maria gonzalez"),
    ],
)
def test_all_caps_names_titles_and_thank_you_are_found(scanner: Scanner, text: str, name: str):
    assert name in _found(scanner, text, "PERSON")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT MARIA_ID FROM T WHERE JOHN_SMITH = 1",
        "USE MARIA DB; INSTALL JULIA PACKAGE; ASK GRACE HOPPER; MARK STALE ISSUES",
        "ERROR ANNA SELECT FAILED; LOG LEVEL DEBUG",
        "thank you for the review, merging with dev branch",
        "contact: Herr Developer Relations",
    ],
)
def test_caps_code_and_titles_before_words_are_not_names(scanner: Scanner, text: str):
    ours = [text[f.start : f.end] for f in scanner.scan_text(text) if f.recognizer in _OURS]
    assert ours == []
