"""A reader in its own process: `python -m tests.store.reader_process DATA_DIR` prints
`SEEN <events via warden.store.reader> <events via warden.duckdb>` ten times a second."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

from warden.store import reader


def main() -> None:
    data_dir = Path(sys.argv[1])
    con = reader.connect(data_dir)
    while True:
        reader.refresh(con, data_dir)
        (ours,) = con.execute("SELECT count(*) FROM events").fetchone() or (0,)
        # The way a person with the duckdb shell reads it: the catalog file, read-only.
        shell = duckdb.connect(str(data_dir / "warden.duckdb"), read_only=True)
        (theirs,) = shell.execute("SELECT count(*) FROM events").fetchone() or (0,)
        shell.close()
        print(f"SEEN {ours} {theirs}", flush=True)
        time.sleep(0.1)


if __name__ == "__main__":
    main()
