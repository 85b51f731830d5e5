"""One request in the review queue: why it was decided, what was found, and the actions.

Only for analysts and admins (the Review page checks): this is where captured prompt text
and masked finding previews are shown. Raw values are never here to show: the store only
has masked previews and salted hashes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.auth.roles import Role
from dashboard.auth.session import SignedIn
from dashboard.dry_run import run_dry
from dashboard.policy_state import policy_state
from dashboard.queries import review as queue_sql
from dashboard.queries.cache import load
from dashboard.review.allowlist import add_to_allow_list, fingerprint_matches, planned_text
from dashboard.review.escalation import escalate
from dashboard.review.store import ReviewState, ReviewStore
from dashboard.settings import DashboardSettings
from dashboard.ui.markup import md
from warden.alerts.severity import Severity
from warden.dlp.fingerprint import preview
from warden.errors import ConfigError

__all__ = ["render_detail"]

STATE_LABELS = {
    "open": "Open",
    "reviewed": "Reviewed",
    "false_positive": "False positive",
    "escalated": "Escalated",
}


def render_detail(settings: DashboardSettings, user: SignedIn, event_id: str) -> None:
    event = load(queue_sql.detail, settings.data_dir, event_id)
    if event is None:
        st.warning("This request is no longer in the store (retention or a purge removed it).")
        return
    store = ReviewStore.for_data_dir(settings.data_dir)
    with st.container(border=True):
        _header(event)
        facts, decision = st.columns(2)
        with facts:
            _facts(event)
        with decision:
            _decision(event)
        _findings(event)
        _prompt(event)
        _replay(settings, event)
        _history(store, event_id)
        _actions(settings, user, store, event)
        if event["review_state"] == ReviewState.FALSE_POSITIVE and event.get("findings"):
            _allow_list(settings, user, store, event)


def _header(event: dict[str, Any]) -> None:
    state = STATE_LABELS.get(event["review_state"], event["review_state"])
    what = " ".join(str(v) for v in (event.get("app"), event.get("model")) if v)
    st.subheader(f"{md(event['outcome'].capitalize())} request · {md(what)}")
    by = ""
    if event.get("reviewed_by"):
        at = datetime.fromtimestamp(event["reviewed_at"], UTC)
        by = f" by {md(event['reviewed_by'])} at {at:%Y-%m-%d %H:%M:%S} UTC"
        if event.get("review_note"):
            by += f": “{md(event['review_note'])}”"
    st.markdown(f"**Review state: {state}**{by}")


def _facts(event: dict[str, Any]) -> None:
    tokens = (event.get("input_tokens") or 0) + (event.get("output_tokens") or 0)
    rows = {
        "Time (UTC)": event.get("time"),
        "Request id": event.get("id"),
        "User": event.get("user"),
        "Groups": ", ".join(event.get("groups") or []) or "-",
        "Device / address": f"{event.get('device') or '-'} / {event.get('client_ip') or '-'}",
        "App": f"{event.get('app')} ({event.get('provider')}, {event.get('sanctioned')})",
        "Host and path": f"{event.get('host')}{event.get('path') or ''}",
        "Model": event.get("model") or "-",
        "HTTP status": event.get("status"),
        "Tokens": tokens or "-",
        "Cost": f"${event['cost_usd']:.4f}" if event.get("cost_usd") is not None else "-",
    }
    st.markdown("**Request**")
    # A static table: every fact visible at once, no scrolling inside a grid. st.table
    # renders its cells as markdown, so they are escaped like any other recorded value.
    st.table(pd.DataFrame({"value": [md(v) for v in rows.values()]}, index=list(rows)))


def _decision(event: dict[str, Any]) -> None:
    st.markdown("**Decision**")
    rule = event.get("rule_id") or "default action"
    st.markdown(f"{md(event.get('action'))} by **{md(rule)}**")
    if event.get("reason"):
        st.caption(md(event["reason"]))
    if event.get("unscanned"):
        st.warning(f"Forwarded without a DLP scan: {md(event['unscanned'])}")
    if event.get("redaction"):
        counts = event["redaction"].get("by_type") or {}
        st.markdown(
            "Redacted before forwarding: "
            + ", ".join(f"{md(n)} x {md(t)}" for t, n in counts.items())
        )
    trace = {k: event.get(k) for k in ("decision", "rejected", "quota") if event.get(k)}
    st.json(trace, expanded=2)
    if event.get("alert_ids"):
        st.markdown("Alerts raised: " + ", ".join(md(a) for a in event["alert_ids"]))


def _findings(event: dict[str, Any]) -> None:
    findings = event.get("findings") or {}
    items = findings.get("items") or []
    if not items:
        return
    st.markdown(f"**DLP findings** ({md(event.get('finding_count', len(items)))}, masked)")
    frame = pd.DataFrame(items)
    columns = [c for c in ("type", "preview", "score", "path") if c in frame.columns]
    st.dataframe(frame[columns], hide_index=True, width="stretch")
    if findings.get("items_truncated"):
        st.caption("Only the first findings are kept in the audit log.")


def _prompt(event: dict[str, Any]) -> None:
    mode = event.get("capture") or "none"
    st.markdown(f"**Captured prompt** (capture mode: {md(mode)})")
    text = event.get("prompt_text")
    if text:
        if mode == "full":
            st.warning("Full capture: this is the prompt as the user wrote it, before redaction.")
        st.code(text, language=None, wrap_lines=True)
        if event.get("prompt_truncated"):
            st.caption("Cut at the capture limit.")
        return
    if mode == "redacted":
        st.caption(
            "Nothing captured: in redacted mode only text that actually left is kept, and "
            "this request was not forwarded (or had no text)."
        )
    else:
        st.caption("Nothing captured: the policy's audit.capture is 'none'.")


def _replay(settings: DashboardSettings, event: dict[str, Any]) -> None:
    with st.expander("Rule trace against the current policy"):
        st.caption(
            "Evaluates this request's user, groups, host and model, with the captured text, "
            "against the policy as it is now (the recorded decision above is what happened)."
        )
        if not st.button("Run the trace", key=f"replay.{event['id']}"):
            return
        state = policy_state(settings.policy)
        if state.policy is None:
            st.error(f"The policy does not load: {md(state.error)}")
            return
        run = run_dry(
            state.policy,
            host=event.get("host") or "",
            prompt=_user_text(event.get("prompt_text") or ""),
            user=event.get("user") or "anonymous",
            groups=tuple(event.get("groups") or ()),
            model=event.get("model"),
            catalogs=settings.catalogs,
        )
        d = run.decision
        st.markdown(f"Now: {md(d.action.value)} by **{md(d.rule_id or 'default action')}**")
        st.dataframe(
            pd.DataFrame(
                [{"rule": t.rule_id, "matched": t.matched, "why": t.why} for t in d.trace]
            ),
            hide_index=True,
            width="stretch",
        )


def _user_text(captured: str) -> str:
    """Captured text carries role markers ("[user] ..."); the trace wants the words."""
    return "\n".join(
        line.split("] ", 1)[1] if line.startswith("[") and "] " in line else line
        for line in captured.splitlines()
    )


def _history(store: ReviewStore, event_id: str) -> None:
    history = store.history(event_id)
    if not history:
        return
    st.markdown("**Review history**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "when (UTC)": datetime.fromtimestamp(a.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    "who": a.who,
                    "role": a.role,
                    "action": STATE_LABELS.get(a.action, a.action),
                    "note": a.note,
                    "details": json.dumps(a.details) if a.details else "",
                }
                for a in history
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _actions(
    settings: DashboardSettings, user: SignedIn, store: ReviewStore, event: dict[str, Any]
) -> None:
    event_id = event["id"]
    st.markdown("**Actions**")
    note = st.text_input("Note (kept with the action)", key=f"note.{event_id}")
    buttons = st.columns([1, 1, 1, 1, 2])
    chosen: ReviewState | None = None
    if buttons[0].button("Mark reviewed", key=f"act.reviewed.{event_id}", type="primary"):
        chosen = ReviewState.REVIEWED
    if buttons[1].button("False positive", key=f"act.fp.{event_id}"):
        chosen = ReviewState.FALSE_POSITIVE
    if buttons[2].button("Escalate", key=f"act.escalate.{event_id}"):
        chosen = ReviewState.ESCALATED
    if buttons[3].button(
        "Reopen", key=f"act.reopen.{event_id}", disabled=event["review_state"] == ReviewState.OPEN
    ):
        chosen = ReviewState.OPEN
    severity = buttons[4].selectbox(
        "Escalation severity",
        [s.value for s in Severity],
        index=2,
        key=f"act.severity.{event_id}",
        label_visibility="collapsed",
    )
    if chosen is None:
        return
    details = None
    if chosen is ReviewState.ESCALATED:
        alert = escalate(settings.data_dir, event, user.name, note, Severity(severity))
        details = {"alert_id": alert.id, "severity": severity}
    store.record(event_id, chosen, user.name, user.role.value, note, details)
    st.toast(f"{STATE_LABELS[chosen.value]}: recorded as {md(user.name)}")
    st.rerun()


def _allow_list(
    settings: DashboardSettings, user: SignedIn, store: ReviewStore, event: dict[str, Any]
) -> None:
    items = (event.get("findings") or {}).get("items") or []
    with st.expander("Add an allow-list entry to the policy", expanded=True):
        if not user.may(Role.ADMIN):
            st.caption(
                "Marked as a false positive. An admin can add the value to the policy's "
                "dlp.allow_list from this page, so it is not reported again."
            )
            return
        state = policy_state(settings.policy)
        if state.policy is None:
            st.error(f"The policy does not load, so it cannot be edited here: {md(state.error)}")
            return
        types = sorted({str(i.get("type")) for i in items})
        entity = st.selectbox("Finding type", types, key=f"allow.type.{event['id']}")
        previews = [str(i.get("preview")) for i in items if i.get("type") == entity]
        st.caption(
            "The audit log keeps only masked previews ("
            + ", ".join(md(p) for p in previews[:5])
            + "), "
            "so type the exact value to allow. It is checked against the finding's hash."
        )
        value = st.text_input("Value to allow", key=f"allow.value.{event['id']}").strip()
        if not value:
            return
        hashes = {str(i.get("hash")) for i in items if i.get("type") == entity and i.get("hash")}
        matched = fingerprint_matches(settings.data_dir, value, hashes)
        if matched is True:
            st.success("This is the value that was found in the request.")
        elif matched is False:
            st.warning("This value does not match what was found in this request.")
        comment = (
            f"{entity} false positive in request {event['id']}, added by {user.name} "
            f"on {datetime.now(UTC):%Y-%m-%d} from the dashboard"
        )
        try:
            preview_text = planned_text(state.text, value, comment, source=str(state.path))
        except ConfigError as e:
            st.error(str(e))
            return
        with st.popover("Show the change"):
            changed = [
                line for line in preview_text.splitlines() if line not in state.text.splitlines()
            ]
            st.code("\n".join(changed), language="yaml")
        if st.button("Add to dlp.allow_list", key=f"allow.add.{event['id']}", type="primary"):
            try:
                edit = add_to_allow_list(state.path, value, comment, state.mtime_ns)
            except ConfigError as e:
                st.error(f"Not saved: {md(e)}")
                return
            if not edit.added:
                st.info("That value is already on the allow-list; nothing changed.")
                return
            store.record(
                event["id"],
                "allowlist_added",
                user.name,
                user.role.value,
                details={
                    "entity_type": entity,
                    "preview": preview(value),
                    "policy": str(state.path),
                    "matched_finding": matched,
                },
            )
            st.success(
                f"Added to {md(state.path)} ({edit.entries} entries). The proxy reloads it within "
                "a second."
            )
