"""warden.duckdb: a small database holding only views over the segments, for the DuckDB shell.

The proxy never keeps it open. It is rebuilt under a temporary name and renamed into place
when the writer starts: a reader that has the old file open (with its DuckDB lock) keeps
reading the old inode, so rebuilding never waits for, or breaks, anyone. The views follow new
segments by themselves (they glob every instance's events directory), so nothing needs
refreshing later.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb

from warden.store.layout import StoreLayout
from warden.store.views import dynamic_views

__all__ = ["STORAGE_VERSION", "write_catalog"]

# The oldest on-disk format that has everything the views need, so that a DuckDB CLI or
# library older than the one Warden runs (e.g. duckdb-cli 1.x) can still open the file.
STORAGE_VERSION = "v1.0.0"


def write_catalog(data_dir: Path) -> Path:
    layout = StoreLayout(data_dir)
    final = layout.catalog
    # A name of this process's own: the workers of one lake start, and write this, together.
    temp = final.with_name(f"{final.name}.{os.getpid()}.tmp")
    for leftover in (temp, temp.with_name(temp.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    con = duckdb.connect(str(temp), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        for statement in dynamic_views(layout.events_root):
            con.execute(statement)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.rename(temp, final)
    return final
