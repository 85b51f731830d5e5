"""Health: is the proxy up and recording, how fast events arrive, disk use, alert delivery."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.auth.roles import Role
from dashboard.policy_state import policy_state
from dashboard.probes import disk_usage, port_open, store_writer
from dashboard.queries import alerts as alerts_sql
from dashboard.queries import health
from dashboard.queries.cache import load
from dashboard.ui import charts
from dashboard.ui.frame import page_frame
from dashboard.ui.markup import md
from dashboard.ui.refresh import auto_refresh

frame = page_frame(Role.VIEWER, with_window=False)
settings = frame.settings

st.title("Health")


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def body() -> None:
    listening = port_open(settings.proxy_address)
    writing, pid = store_writer(settings.data_dir)
    latest = load(health.latest_event, settings.data_dir)
    minute = datetime.now(UTC).replace(second=0, microsecond=0)  # keys the cache per minute
    per_minute = load(health.events_per_minute, settings.data_dir, minute)
    usage = disk_usage(settings.data_dir)

    figures = st.columns(4)
    if listening is None:
        figures[0].metric("Proxy", "unknown")
    else:
        figures[0].metric("Proxy", "up" if listening else "DOWN")
    figures[1].metric("Store writer", f"pid {pid}" if writing else "none")
    last_minute = int(per_minute["events"].iloc[-2]) if len(per_minute) > 1 else 0
    figures[2].metric("Events / min", f"{last_minute:,}")
    figures[3].metric("Store on disk", megabytes(usage.total_bytes))

    where = md(settings.proxy or "an unknown address")
    if listening is False:
        st.error(
            f"Nothing is listening on {where}: AI traffic that should go through Warden fails."
        )
    elif listening:
        st.success(f"The proxy accepts connections on {where}.", icon=":material/check_circle:")
    if not writing:
        st.warning(
            "No process holds the audit store's writer lock: the proxy is not recording "
            f"events into {md(settings.data_dir)}."
        )
    if latest["newest"] is not None:
        age = datetime.now(UTC).replace(tzinfo=None) - latest["newest"]
        st.caption(
            f"Newest event {latest['newest']:%Y-%m-%d %H:%M:%S} UTC "
            f"({int(age.total_seconds() // 60)} min ago); {latest['events']:,} events stored."
        )
    st.altair_chart(
        charts.rate_line(per_minute, "minute", "events", "Events per minute (last hour)"),
        width="stretch",
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Store")
        st.dataframe(
            pd.DataFrame(
                {
                    "": [
                        "Segments (live / all)",
                        "Event files",
                        "Quarantined segments",
                        "Alert files",
                        "Dashboard review state",
                    ],
                    "value": [
                        f"{usage.live_segments} / {usage.segments}",
                        megabytes(usage.segment_bytes),
                        str(usage.quarantined),
                        megabytes(usage.alert_bytes),
                        megabytes(usage.dashboard_bytes),
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    with right:
        st.subheader("Alert sinks")
        policy = policy_state(settings.policy).policy
        configured = dict(policy.alerts.sinks) if policy else {}
        deliveries = load(alerts_sql.deliveries_by_sink, settings.data_dir)
        sinks = pd.DataFrame({"sink": sorted(set(configured) | set(deliveries["sink"]))})
        if sinks.empty:
            st.caption("No alert sinks configured (alerts.sinks in the policy).")
        else:
            sinks["type"] = sinks["sink"].map(
                lambda s: getattr(configured.get(s), "type", "not configured")
            )
            table = sinks.merge(deliveries, on="sink", how="left").fillna(
                {"delivered": 0, "pending": 0, "failed": 0}
            )
            table["status"] = table["last_state"].map(SINK_STATUS).fillna("no deliveries yet")
            st.dataframe(
                table[
                    [
                        "sink",
                        "type",
                        "status",
                        "delivered",
                        "pending",
                        "failed",
                        "last_delivered",
                        "last_error",
                    ]
                ],
                hide_index=True,
                width="stretch",
            )


# The state of a sink's most recent delivery attempt says how it is doing now.
SINK_STATUS = {
    "delivered": "ok",
    "failed": "failing",
    "retrying": "retrying",
    "pending": "retrying",
}


auto_refresh(body)
