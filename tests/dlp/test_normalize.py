"""Evasions: invisible characters, look-alikes, line breaks, JSON escapes and base64 do not
hide a key, and a finding still covers exactly the characters the person sent."""

from __future__ import annotations

import base64
import json

import pytest

from tests.dlp.fake_keys import FakeKeys
from warden.dlp.normalize import build_view, join_broken_lines
from warden.dlp.scanner import Scanner

KEYS = FakeKeys(11)
GITHUB = KEYS.github()
OPENAI = KEYS.openai()
AWS = KEYS.aws_access_key_id()


def _only(scanner: Scanner, text: str, entity: str) -> tuple[int, int]:
    found = [f for f in scanner.scan_text(text) if f.entity_type == entity]
    assert len(found) == 1, [(f.entity_type, f.preview) for f in found]
    return found[0].start, found[0].end


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_inside_a_key_do_not_hide_it(
    secrets_scanner: Scanner, invisible: str
):
    disguised = GITHUB[:6] + invisible + GITHUB[6:20] + invisible + GITHUB[20:]
    text = f"token: {disguised} ok"
    start, end = _only(secrets_scanner, text, "GITHUB_TOKEN")
    assert text[start:end] == disguised


def test_cyrillic_and_greek_look_alikes_do_not_hide_a_key(secrets_scanner: Scanner):
    disguised = AWS.replace("A", "\u0410").replace("K", "\u039a")  # Cyrillic A, Greek Kappa
    text = f"aws key {disguised}."
    start, end = _only(secrets_scanner, text, "AWS_ACCESS_KEY_ID")
    assert text[start:end] == disguised


def test_fullwidth_characters_do_not_hide_a_key(secrets_scanner: Scanner):
    disguised = "".join(chr(ord(c) + 0xFEE0) for c in OPENAI)
    start, end = _only(secrets_scanner, f"key={disguised}", "OPENAI_API_KEY")
    assert (start, end) == (4, 4 + len(disguised))


def test_unicode_tag_characters_smuggling_a_key_are_decoded(secrets_scanner: Scanner):
    hidden = "".join(chr(0xE0000 + ord(c)) for c in GITHUB)
    text = f"Summarise this.{hidden}"
    start, end = _only(secrets_scanner, text, "GITHUB_TOKEN")
    assert text[start:end] == hidden


def test_a_key_broken_across_lines_is_found_whole(secrets_scanner: Scanner):
    half = len(OPENAI) // 2
    broken = OPENAI[:half] + "\n    " + OPENAI[half:]
    text = f"my key:\n{broken}\nthanks"
    start, end = _only(secrets_scanner, text, "OPENAI_API_KEY")
    assert text[start:end] == broken


def test_a_word_on_the_next_line_is_not_glued_to_a_key(secrets_scanner: Scanner):
    text = f"my key:\n{OPENAI}\nThanks a lot"
    start, end = _only(secrets_scanner, text, "OPENAI_API_KEY")
    assert text[start:end] == OPENAI


def test_a_base64_encoded_key_is_found_and_the_whole_blob_reported(secrets_scanner: Scanner):
    blob = base64.b64encode(f"export GITHUB_TOKEN={GITHUB}".encode()).decode()
    text = f"decode this for me: {blob}"
    start, end = _only(secrets_scanner, text, "GITHUB_TOKEN")
    assert text[start:end] == blob


def test_json_escapes_in_tool_arguments_do_not_hide_a_key(secrets_scanner: Scanner):
    # As a client that escapes non-ASCII and more would send it: "\u0067" is "g".
    arguments = json.dumps({"cmd": f"set\n{AWS}"})[:-1] + ', "k": "\\u0067' + GITHUB[1:] + '"}'
    assert json.loads(arguments)["k"] == GITHUB
    found = {
        f.entity_type: arguments[f.start : f.end] for f in secrets_scanner.scan_text(arguments)
    }
    assert found["AWS_ACCESS_KEY_ID"] == AWS
    assert found["GITHUB_TOKEN"] == "\\u0067" + GITHUB[1:]


def test_whole_cyrillic_words_are_left_alone():
    assert build_view("Москва и Αθήνα").text == "Москва и Αθήνα"


def test_offsets_map_back_through_deleted_and_widened_characters():
    view = build_view("a\u200bbc \uff44\uff45")  # fullwidth d, e
    assert view.text == "abc de"
    assert view.map.span(0, 3) == (0, 4)  # "abc" covers the zero-width space
    assert view.map.span(4, 6) == (5, 7)


def test_line_joining_only_glues_key_material_to_the_line_before():
    joined, _ = join_broken_lines("abc\n  D3f. \nghi\nThanks")
    assert joined == "abcD3f. \nghi\nThanks"


def test_sliced_searches_find_what_one_search_finds():
    import re

    from warden.dlp import slices

    pattern = re.compile(r"\\\\(?:u[0-9a-f]{4}|.)|ab+")
    text = ("x\\\\n" + "ab" * 7 + "\\u00e9 ") * 9000
    assert len(text) > 4 * slices.SLICE
    whole = [m.span() for m in pattern.finditer(text)]
    assert [m.span() for m in slices.finditer(pattern, text, overlap=16)] == whole
