"""Policies: the policy in force, whether it validates, when it changed, and dry runs."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.auth.roles import Role
from dashboard.dry_run import run_dry
from dashboard.policy_state import policy_state
from dashboard.ui.frame import page_frame
from dashboard.ui.markup import md
from dashboard.ui.refresh import auto_refresh
from warden.errors import RequestRejected

frame = page_frame(Role.VIEWER, with_window=False)
settings = frame.settings
state = policy_state(settings.policy)

st.title("Policies")


def status() -> None:
    # Re-read on every refresh: an edit (or a broken one) shows up without a reload.
    now = policy_state(settings.policy)
    st.markdown(f"Active policy: {md(now.path)}")
    if now.policy is not None:
        p = now.policy
        st.success(
            f"Valid: policy **{md(p.name)}**, {len(p.rules)} rules, {len(p.models)} model lists, "
            f"{len(p.quotas)} quotas, default action {p.default_action.value}.",
            icon=":material/check_circle:",
        )
    elif now.exists:
        st.error(
            f"Does not validate: {md(now.error)}\n\nThe proxy keeps enforcing the last version "
            "that loaded until the file is fixed.",
            icon=":material/error:",
        )
    else:
        st.error(f"No policy file: {md(now.error)}", icon=":material/error:")
    if now.modified is not None:
        minutes = int((datetime.now(UTC) - now.modified).total_seconds() // 60)
        st.caption(
            f"Last changed {now.modified:%Y-%m-%d %H:%M:%S} UTC ({minutes} min ago). The proxy "
            "re-reads the file within a second of a change"
            + (", so this is its last reload." if now.valid else ".")
        )


auto_refresh(status)

rules_tab, dry_tab, yaml_tab = st.tabs(["Rules", "Dry run", "YAML"])

with rules_tab:
    if state.policy is None:
        st.caption("The rules are shown once the file validates.")
    elif not state.policy.rules:
        st.caption("No rules: every request gets the default action.")
    else:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "rule": rule.id,
                        "action": rule.action.value,
                        "when": ", ".join(
                            f"{k}={v}"
                            for k, v in rule.match.model_dump(
                                exclude_defaults=True, by_alias=True, mode="json"
                            ).items()
                        )
                        or "always",
                        "message": rule.message or "",
                    }
                    for rule in state.policy.rules
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        allow = state.policy.dlp.allow_list
        st.caption(
            f"DLP allow-list: {len(allow)} entr{'y' if len(allow) == 1 else 'ies'}"
            + (f" ({md(', '.join(allow[:8]))}{', ...' if len(allow) > 8 else ''})" if allow else "")
        )

with dry_tab:
    st.caption(
        "Decides a typed prompt exactly as `warden policy test` does (same engine, catalog and "
        "DLP settings). Nothing is sent and no quota is used."
    )
    with st.form("dryrun"):
        cols = st.columns(4)
        host = cols[0].text_input("Host", value="api.openai.com")
        model = cols[1].text_input("Model", value="gpt-4o-mini")
        who = cols[2].text_input("User", value="alice")
        groups = cols[3].text_input("Groups (comma-separated)", value="")
        prompt = st.text_area("Prompt", height=120, placeholder="Type a prompt to test")
        submitted = st.form_submit_button("Run dry run", type="primary")
    if submitted:
        if state.policy is None:
            st.error("The policy does not validate, so there is nothing to test against.")
        else:
            group_list = tuple(g.strip() for g in groups.split(",") if g.strip())
            try:
                run = run_dry(
                    state.policy,
                    host=host.strip(),
                    prompt=prompt,
                    user=who.strip(),
                    groups=group_list,
                    model=model.strip() or None,
                    catalogs=settings.catalogs,
                )
            except RequestRejected as e:
                st.error(f"The proxy would refuse this request before policy: {md(e)}")
            else:
                d = run.decision
                answered = f" → HTTP {d.status}" if d.status != 200 else ""
                st.markdown(
                    f"### {md(d.action.value.upper())} by "
                    f"{md(d.rule_id or 'default_action')}{answered}"
                )
                st.markdown(f"Reason: {md(d.reason)}")
                findings = run.context.findings
                if findings:
                    st.dataframe(
                        pd.DataFrame(
                            [
                                {"type": f.entity_type, "preview": f.preview, "score": f.score}
                                for f in findings
                            ]
                        ),
                        hide_index=True,
                    )
                else:
                    st.caption("No DLP findings.")
                st.dataframe(
                    pd.DataFrame(
                        [{"rule": t.rule_id, "matched": t.matched, "why": t.why} for t in d.trace]
                    ),
                    hide_index=True,
                    width="stretch",
                )
                with st.expander("As JSON (same as `warden policy test --json`)"):
                    st.json(run.to_dict())
                command = ["warden", "policy", "test", str(state.path), "--host", host.strip()]
                command += ["--user", who.strip() or "anonymous"]
                if group_list:
                    command += ["--groups", ",".join(group_list)]
                if model.strip():
                    command += ["--model", model.strip()]
                st.code(shlex.join([*command, "--prompt", prompt]), language="bash")

with yaml_tab:
    if frame.user.may(Role.ADMIN):
        st.code(state.text or "(empty)", language="yaml", line_numbers=True)
    else:
        # The file may hold sink credentials (a Slack webhook URL is one): admins only, who
        # can read the file on the host anyway.
        st.caption("The policy file itself is shown to admins: it may hold alert sink secrets.")
