"""Run a page's query through Streamlit's cache, keyed by the store's current version.

The key holds the store version (segment names, alert file sizes, last review action), so
a new flush or a review shows up on the next run; the TTL only bounds memory and covers
what the version cannot see (the clock moving on in "last hour" windows).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard.queries.source import open_views, store_version

__all__ = ["CACHE_TTL_S", "load"]

CACHE_TTL_S = 60


def load[T](query: Callable[..., T], data_dir: Path, *args: Any) -> T:
    """query(con, *args) on a fresh view of the store, or the cached answer to it."""
    name = f"{query.__module__}:{query.__qualname__}"
    version = store_version(data_dir)
    result: T = _cached(name, str(data_dir), version, args)
    return result


@st.cache_data(ttl=CACHE_TTL_S, max_entries=256, show_spinner=False)
def _cached(name: str, data_dir: str, version: tuple[Any, ...], args: tuple[Any, ...]) -> Any:
    # `version` only keys the cache: Streamlit hashes every parameter not named "_...".
    del version
    module, _, qualname = name.partition(":")
    query = getattr(importlib.import_module(module), qualname)
    with open_views(Path(data_dir)) as con:
        return query(con, *args)
