"""GitLab tokens: personal, deploy, runner, pipeline-trigger, OAuth-application and others."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["GitLabTokenRecognizer"]

_KINDS = ("pat", "dt", "rt", "ptt", "oas", "ft", "imt", "agent", "soat", "cbt")


class GitLabTokenRecognizer(WardenRecognizer):
    ENTITY = "GITLAB_TOKEN"
    PREFIXES = tuple(f"gl{kind}-" for kind in _KINDS)
    MAX_LENGTH = 320
    PATTERNS = (
        # The classic 20-character form, and the longer routable form (with dots) of 17.x.
        Pattern(
            "gitlab_token",
            rf"(?<![\w-])gl(?:{'|'.join(_KINDS)})-[A-Za-z0-9_-]{{20}}(?![\w.-])",
            0.9,
        ),
        Pattern(
            "gitlab_routable_token",
            rf"(?<![\w-])gl(?:{'|'.join(_KINDS)})-[A-Za-z0-9_.-]{{26,300}}[A-Za-z0-9_-](?![\w.-])",
            0.85,
        ),
    )
