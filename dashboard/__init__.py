"""The security dashboard: a Streamlit app over the audit store, the alert store and the policy.

    app.py          the router: sign-in page only, until signed in; then st.navigation with
                    the pages the role may open
    pages/          one script per page (overview, review, alerts, users, shadow_ai, policies,
                    health); each checks the role again through ui/frame.py
    settings.py     what `warden dashboard` hands the app (data dir, users file, policy, proxy)
    auth/           roles, the users file (bcrypt), login throttling, the signed-in session
    queries/        DuckDB SQL per page over the store's `events` view; aggregates or pages of
                    rows, never the whole table; cache.py keys Streamlit's cache on the store
    review/         review state (the dashboard's own SQLite file), allow-list edits of the
                    policy, escalation to the alert store
    ui/             the page frame and sidebar, time window, auto-refresh, charts, numbers,
                    markdown escaping of recorded values, the review detail view
    policy_state.py the policy file: valid or not, last change   dry_run.py  `policy test`
    sanction.py     an app's standing now (policy override, else catalog)   catalogs.py
    probes.py       proxy port, the store's writer lock, disk use
    demo.py         `python -m dashboard.demo`: a realistic store to try the dashboard on
    browser.py      headless Chromium helpers   screenshots.py  docs/screenshots/*.png

The dashboard only reads what the proxy writes (Parquet segments, alert JSON lines). Its own
writes go to files nobody else writes: <data dir>/dashboard/reviews.sqlite3, the alert
store's "dashboard" files, and (admins only, validated first) the policy's dlp.allow_list.
See docs/dashboard.md.
"""
