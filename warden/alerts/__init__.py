"""Alerts: suspicious-prompt detectors, behaviour over time, rules with dedupe and throttling,
delivery to Slack, webhooks, email and syslog, and an alert store with open/ack/resolved state.

Nothing is imported here on purpose: warden.policy.model imports warden.alerts.config, and the
rest of this package imports warden.policy, so an eager import would be circular.
"""
