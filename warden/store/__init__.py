"""The audit log: events in immutable Parquet segments, one writer, any number of readers.

    schema.py      the columns (the one declaration)      event.py    AuditEvent, rows
    writer.py      the proxy's writer: batching, flushes, maintenance, failure state
    segments.py    segment names, liveness, atomic commit  parquet.py  writing one segment
    compaction.py  merging small segments                  purge.py    retention, user purge
    reader.py      in-memory views for readers             views.py    the view SQL
    catalog.py     warden.duckdb for the DuckDB shell      lock.py     one writer per store
    requests.py    asking the running writer to purge      capture.py  prompt/answer text
    findings.py    DLP findings summary                    layout.py   file locations
    journal.py     requests on their way out, recovered after a crash

See docs/audit-log.md for the design and how to query the store.
"""
