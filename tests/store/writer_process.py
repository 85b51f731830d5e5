"""A writer in its own process for the kill -9 test: `python -m tests.store.writer_process
DATA_DIR RATE` appends RATE events a second until killed and prints `ACK <seq>` each time a
flush has made events up to <seq> durable."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.store.helpers import request_event
from warden.store.writer import StoreWriter


def main() -> None:
    data_dir, rate = Path(sys.argv[1]), int(sys.argv[2])
    writer = StoreWriter(data_dir)  # the real settings: 0.8 s flush interval
    writer.add_flush_listener(lambda seq, n: print(f"ACK {seq}", flush=True))
    writer.start()
    print("READY", flush=True)
    appended, started = 0, time.monotonic()
    while True:
        due = int((time.monotonic() - started) * rate)
        while appended < due:
            appended += 1
            writer.append(request_event(appended, prompt_text="x" * 200))
        time.sleep(0.002)


if __name__ == "__main__":
    main()
