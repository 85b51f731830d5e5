"""Slack-compatible incoming webhook: {"text": ..., "blocks": [...]} (Mattermost and Rocket.Chat
accept the same). The URL holds a token: keep it in an environment variable."""

from __future__ import annotations

import httpx

from warden.alerts.config import SlackSinkConfig
from warden.alerts.sinks.base import Notice, env_secret
from warden.alerts.sinks.httppost import post_json
from warden.alerts.sinks.payload import facts, headline

__all__ = ["SlackSink", "slack_message"]


def _escape(text: str) -> str:
    # Slack's mrkdwn treats these three as markup (links, mentions).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(notice: Notice) -> dict[str, object]:
    title = _escape(headline(notice))
    fields = [{"type": "mrkdwn", "text": f"*{k}*\n{_escape(v)}"} for k, v in facts(notice)]
    return {
        "text": title,  # what notifications and old clients show
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": headline(notice)[:150]}},
            # Slack allows at most 10 fields per section.
            *({"type": "section", "fields": fields[i : i + 10]} for i in range(0, len(fields), 10)),
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "Egress Warden alert"}],
            },
        ],
    }


class SlackSink:
    def __init__(self, name: str, config: SlackSinkConfig) -> None:
        self.name = name
        self.config = config
        self._client = httpx.Client(timeout=config.timeout_s, proxy=config.proxy, trust_env=False)

    def url(self) -> str:
        if self.config.webhook_url:
            return self.config.webhook_url
        assert self.config.webhook_url_env is not None  # the config validator requires one
        return env_secret(self.config.webhook_url_env, "Slack webhook URL")

    def send(self, notice: Notice) -> None:
        post_json(self._client, self.url(), slack_message(notice), {}, what="Slack webhook")
