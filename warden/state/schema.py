"""The state database's tables. New columns are added with defaults, never renamed."""

from __future__ import annotations

__all__ = ["SCHEMA", "SCHEMA_VERSION"]

# PRAGMA user_version once these tables exist (2: coach_passes; 3: alert_windows and
# purged_alerts). Opening an older file runs the CREATE ... IF NOT EXISTS statements again:
# the new tables appear, the existing ones and their rows stay as they are.
SCHEMA_VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    user TEXT,
    last_seen REAL,
    recorded_at REAL NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_last_seen ON alerts (last_seen);
CREATE INDEX IF NOT EXISTS alerts_user ON alerts (user);

CREATE TABLE IF NOT EXISTS alert_states (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    state TEXT NOT NULL,
    who TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_states_alert ON alert_states (alert_id, at);

CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    sink TEXT NOT NULL,
    kind TEXT NOT NULL,
    notice TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    expires_at REAL,
    next_attempt_at REAL,
    delivered_at REAL,
    last_error TEXT,
    updated_at REAL NOT NULL,
    claimed_by TEXT,
    claimed_until REAL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (sink, state, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries (alert_id);

CREATE TABLE IF NOT EXISTS delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL,
    at REAL NOT NULL,
    outcome TEXT NOT NULL,
    error_class TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS delivery_attempts_delivery ON delivery_attempts (delivery_id);

CREATE TABLE IF NOT EXISTS counters (
    key TEXT NOT NULL,
    window_start REAL NOT NULL,
    value REAL NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX IF NOT EXISTS counters_expiry ON counters (expires_at);

CREATE TABLE IF NOT EXISTS coach_passes (
    user TEXT NOT NULL,
    app TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (user, app, rule_id)
);

CREATE TABLE IF NOT EXISTS admin_requests (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    params TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    taken_at REAL,
    answered_at REAL,
    result TEXT
);

CREATE TABLE IF NOT EXISTS alert_windows (
    key TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    user TEXT,
    window_ends REAL NOT NULL,
    summary INTEGER NOT NULL,
    count INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    last_seen REAL NOT NULL,
    score REAL NOT NULL,
    last_event_id TEXT,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_windows_ends ON alert_windows (window_ends);
CREATE INDEX IF NOT EXISTS alert_windows_user ON alert_windows (user);

CREATE TABLE IF NOT EXISTS purged_alerts (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS migrations (
    name TEXT PRIMARY KEY,
    at REAL NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
)
"""
