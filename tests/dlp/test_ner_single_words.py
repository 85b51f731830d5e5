"""One word the NER model calls a person is kept only when it can be a name: pasted code is
full of capitalised words (class names, constants, exceptions) the model reads as people."""

from __future__ import annotations

import pytest

from warden.dlp.scanner import Scanner

CODE = '''\
class WardenRecognizer(PatternRecognizer):
    """Scanner finds the Headers. Exception handling as Counter did."""

    def analyze(self, text):
        if text is None:
            raise ValueError("Nothing to scan")  # Exception from Python
        return False
'''


def test_identifiers_keywords_and_exceptions_in_code_are_not_people(scanner: Scanner):
    people = [CODE[f.start : f.end] for f in scanner.scan_text(CODE) if f.entity_type == "PERSON"]
    for word in ("WardenRecognizer", "False", "None", "Exception", "ValueError", "Scanner"):
        assert word not in people


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please forward the contract to Maria before Friday.", "Maria"),
        ("The invoice was approved by Okonkwo yesterday.", "Okonkwo"),
    ],
)
def test_a_single_name_in_prose_is_still_personal_data(scanner: Scanner, text: str, name: str):
    # The small model types some lone names as places (LOCATION): redacted all the same.
    found = {text[f.start : f.end]: f.entity_type for f in scanner.scan_text(text)}
    assert found.get(name) in ("PERSON", "LOCATION")
