"""Recorded values reach markdown as text: no links, images, e-mail links or new blocks."""

from __future__ import annotations

import re

import pytest

from dashboard.ui.markup import WORD_JOINER, md
from tests.dashboard.conftest import plain


@pytest.mark.parametrize(
    "value",
    [
        "![x](https://tracker.example/p.png)",
        "[click](https://evil.example)",
        "alice@corp.example",
        "see www.evil.example or HTTP://evil.example/x",
        "**bold** _it_ `code` $x^2$ :red[alarm] :material/home:",
        "line one\n\n# heading",
        "<b>html</b>",
    ],
)
def test_values_become_escaped_text_that_reads_the_same(value: str):
    escaped = md(value)
    assert "\n" not in escaped
    # Every character markdown could act on is escaped...
    assert not re.search(r"(?<!\\)[\[\]()!*_`$:<>#]", escaped)
    # ...autolink patterns are broken by an invisible word joiner...
    visible = escaped.replace("\\", "")
    assert "://" not in visible and "www." not in visible.lower()
    assert all(
        m.end() < len(escaped) and escaped[m.end()] == WORD_JOINER
        for m in re.finditer("@", escaped)
    )
    # ...and a reader sees the value itself (line breaks folded into spaces).
    assert plain(escaped) == " ".join(value.split())
