"""Scanner behaviour beyond recognizers: settings, limits, deadlines, segments."""

from __future__ import annotations

import time

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.recognizers.ner import SpacyNerRecognizer
from warden.dlp.scanner import Scanner, ScanTimeout
from warden.policy.model import DlpPolicy
from warden.schemas.normalized import EndpointKind, NormalizedRequest, Segment

KEY = FakeKeys(51).openai()


def test_findings_name_their_segment_and_offsets(scanner: Scanner):
    request = NormalizedRequest(
        "openai",
        "openai.chat",
        EndpointKind.CHAT,
        segments=[
            Segment(("messages", 0, "content"), "nothing here"),
            Segment(("messages", 1, "content"), f"key: {KEY}"),
        ],
    )
    result = scanner.scan(request)
    [finding] = result.findings
    assert finding.path == ("messages", 1, "content")
    assert (finding.start, finding.end) == (5, 5 + len(KEY))
    assert result.scanned_chars == len("nothing here") + len(f"key: {KEY}")


def test_entities_setting_limits_what_is_looked_for():
    only_email = Scanner(DlpPolicy(entities=["EMAIL_ADDRESS"], ner=False), salt=b"t")
    found = only_email.scan_text(f"{KEY} ana@example.com")
    assert [f.entity_type for f in found] == ["EMAIL_ADDRESS"]


def test_min_score_drops_weak_findings():
    strict = Scanner(DlpPolicy(min_score=0.95, ner=False), salt=b"t")
    # A bare 10-digit number with a context word scores 0.65 as a phone number.
    assert strict.scan_text("call 4155550132") == []


def test_a_passed_deadline_stops_the_scan(scanner: Scanner):
    with pytest.raises(ScanTimeout):
        scanner.scan_texts([((), "some text")], deadline=time.monotonic() - 1)


def test_long_texts_note_that_names_were_not_searched_everywhere(scanner: Scanner):
    paragraph = "Maria Keller met Tom Berger in Vienna on Monday. " * 20
    text = paragraph * (SpacyNerRecognizer.MAX_CHARS // len(paragraph) + 2)
    result = scanner.scan_texts([((), text)])
    assert "ner_truncated" in result.notes
    assert any(f.entity_type == "PERSON" for f in result.findings)


def test_ner_off_finds_no_names_but_still_salutations():
    no_ner = Scanner(DlpPolicy(ner=False), salt=b"t")
    found = {f.entity_type for f in no_ner.scan_text("Dear Ana Lima, see you in Berlin.")}
    assert found == {"PERSON"}


def test_a_megabyte_of_code_scans_without_findings(secrets_scanner: Scanner):
    code = "def handler(event, context):\n    return {'statusCode': 200, 'body': event}\n" * 14000
    assert len(code) > 1_000_000
    assert secrets_scanner.scan_text(code) == []


@pytest.mark.parametrize("glue", ["x{}", "20{}", "_{}", "-{}", "a{}"])
@pytest.mark.parametrize("family", ["openai", "anthropic", "github", "aws_access_key_id", "jwt"])
def test_a_key_glued_to_what_comes_before_it_is_still_found(
    secrets_scanner: Scanner, glue: str, family: str
) -> None:
    key = getattr(FakeKeys(17), family)()
    text = "deploy " + glue.format(key) + " now"
    found = secrets_scanner.scan_text(text)
    start = text.index(key)
    assert any(f.start <= start and f.end >= start + len(key) for f in found), glue


def test_random_tokens_holding_a_key_prefix_by_chance_are_no_finding(
    secrets_scanner: Scanner,
) -> None:
    import random
    import string

    rng = random.Random(4)
    alphabet = string.ascii_letters + string.digits + "-_"
    tokens = []
    for _ in range(200):
        head = "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 40)))
        tail = "".join(rng.choice(alphabet) for _ in range(rng.randint(40, 120)))
        tokens.append(f"{head}{rng.choice(['sk-', 'ghp_', 'xoxb-', 'hf_', 'npm_'])}{tail}")
    text = "cookie: " + "; ".join(f"s{i}={t}" for i, t in enumerate(tokens))
    assert secrets_scanner.scan_text(text) == []
