"""Texts the scanner has seen (a chat's earlier turns, an agent's system prompt) are not scanned
again, and what comes back for them is exactly what a fresh scan would find."""

from __future__ import annotations

import pickle

from tests.dlp.conftest import TEST_SALT
from tests.dlp.corpus import build_corpus, build_long_corpus
from tests.dlp.fake_keys import FakeKeys
from warden.dlp.memo import MAX_FINDINGS_HELD, ScanMemo, Scanned
from warden.dlp.scanner import Scanner
from warden.dlp.types import Finding, ScanResult
from warden.policy.model import DlpPolicy

KEYS = FakeKeys(77)


def _conversation_turns(texts: list[str], turns: int) -> list[list[tuple[tuple, str]]]:
    """What a chat client sends: each request repeats every earlier message, then a new one."""
    system = (("messages", 0, "content"), "You are a helpful assistant for Acme Corp.")
    requests = []
    for turn in range(1, turns + 1):
        history = [(("messages", i + 1, "content"), texts[i]) for i in range(turn)]
        requests.append([system, *history])
    return requests


def _as_compared(result: ScanResult) -> tuple:
    return tuple(f.to_dict().items() for f in result.findings), result.notes


def test_a_conversation_gets_the_same_findings_with_and_without_the_memo() -> None:
    samples = build_corpus(seed=11, per_family=2, pii=30, negatives=20)
    texts = [s.text for s in samples]
    memoized = Scanner(DlpPolicy(), salt=TEST_SALT)
    fresh_each_time = Scanner(DlpPolicy(), salt=TEST_SALT, memo_capacity=0)
    for start in range(0, len(texts), 12):
        chat = texts[start : start + 12]
        for request in _conversation_turns(chat, len(chat)):
            got = memoized.scan_texts(request)
            assert _as_compared(got) == _as_compared(fresh_each_time.scan_texts(request))
    assert memoized.memo.hits > memoized.memo.misses  # turns repeat the history
    assert fresh_each_time.memo.hits == 0 and len(fresh_each_time.memo) == 0


def test_a_repeated_secret_is_reported_at_its_new_place_in_the_request() -> None:
    scanner = Scanner(DlpPolicy(entities=["SECRETS"], ner=False), salt=TEST_SALT)
    key = KEYS.openai()
    message = f"why does {key} fail?"
    [first] = scanner.scan_texts([(("messages", 1, "content"), message)]).findings
    later = scanner.scan_texts(
        [(("messages", 1, "content"), "hello"), (("messages", 3, "content"), message)]
    )
    [again] = later.findings
    assert again.path == ("messages", 3, "content")
    assert (again.start, again.end, again.value_hash) == (first.start, first.end, first.value_hash)
    assert scanner.memo.hits == 1


def test_the_same_text_twice_in_one_request_is_found_at_both_places() -> None:
    scanner = Scanner(DlpPolicy(entities=["SECRETS"], ner=False), salt=TEST_SALT)
    message = f"token {KEYS.github()}"
    result = scanner.scan_texts([(("a",), message), (("b",), message)])
    assert [f.path for f in result.findings] == [("a",), ("b",)]
    assert len(scanner.memo) == 1


def test_a_text_whose_names_were_not_all_searched_is_searched_again() -> None:
    scanner = Scanner(DlpPolicy(), salt=TEST_SALT)
    [long_paste] = build_long_corpus(seed=3, documents=1, size=30_000)
    first = scanner.scan_texts([((), long_paste.text)])
    assert "ner_truncated" in first.notes
    assert len(scanner.memo) == 0
    assert "ner_truncated" in scanner.scan_texts([((), long_paste.text)]).notes


def test_memo_entries_hold_no_text_or_value() -> None:
    scanner = Scanner(DlpPolicy(), salt=TEST_SALT)
    key = KEYS.stripe()
    scanner.scan_texts([((), f"Ana Lima pasted {key} and ana.lima@example.com")])
    dump = pickle.dumps(list(scanner.memo._entries.items()))
    for value in (key, key[8:20], "ana.lima@example.com", "Ana Lima"):
        assert value.encode() not in dump


def test_the_memo_is_bounded_and_forgets_the_least_recently_used_text_first() -> None:
    memo = ScanMemo(capacity=2)
    a, b, c = (memo.key(t) for t in ("a", "b", "c"))
    nothing = Scanned((), frozenset())
    memo.put(a, nothing)
    memo.put(b, nothing)
    assert memo.get(a) is nothing  # a is now the most recently used
    memo.put(c, nothing)
    assert memo.get(b) is None and memo.get(a) is nothing and memo.get(c) is nothing
    many = Scanned(
        tuple(Finding("EMAIL_ADDRESS", (), i, i + 1, 1.0, "h", "***") for i in range(300)),
        frozenset(),
    )
    assert len(many.findings) > MAX_FINDINGS_HELD
    memo.put(memo.key("a customer list"), many)
    assert memo.get(memo.key("a customer list")) is None


def test_keys_differ_between_processes_and_survive_lone_surrogates() -> None:
    assert ScanMemo().key("same text") != ScanMemo().key("same text")
    memo = ScanMemo()
    assert memo.key("broken \ud800 escape") == memo.key("broken \ud800 escape")
