"""Put recorded values into Streamlit markdown as text, never as markup.

User names, alert titles, reasons and notes come from traffic and from people. Unescaped, a
value like `![x](https://tracker.example/p.png)` would make every analyst's browser fetch an
outside URL, and `[click](...)` would plant a link. Every value that reaches st.markdown,
st.caption, st.subheader or a message box goes through md() first.

Backslash escapes stop markdown syntax, but not GFM's autolinks: Streamlit still turns
`alice@corp.example`, `https://...` and `www....` into links however they are escaped
(checked in Chromium). An invisible word joiner (U+2060) inside each of those patterns
breaks the link and leaves the text reading the same.
"""

from __future__ import annotations

import re

__all__ = ["WORD_JOINER", "md"]

WORD_JOINER = "\u2060"
# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones markdown,
# GFM and Streamlit's extensions (:color[...]:, :material/...:, $math$) give meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=])")
_AUTOLINK = re.compile(r"(@|:(?=//)|(?<![A-Za-z0-9])w(?=ww\.))", re.IGNORECASE)


def md(value: object) -> str:
    text = " ".join(str(value).split())  # no line breaks: a value cannot start a new block
    text = _AUTOLINK.sub(lambda m: m.group(1) + WORD_JOINER, text)
    return _SPECIAL.sub(r"\\\1", text)
