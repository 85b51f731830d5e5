"""Answers Warden gives in the provider's place, in a format the client already understands.

API clients get the provider's own error JSON, so the official SDKs raise their usual error
with Warden's reason as the message. Browsers get an HTML page a person can read.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

__all__ = ["Reply", "block_reply", "error_reply", "wants_html"]

_STATUS_TEXT = {
    400: ("Bad Request", "invalid_request_error", "INVALID_ARGUMENT"),
    403: ("Forbidden", "permission_error", "PERMISSION_DENIED"),
    407: ("Proxy Authentication Required", "authentication_error", "UNAUTHENTICATED"),
    408: ("Request Timeout", "timeout_error", "DEADLINE_EXCEEDED"),
    413: ("Payload Too Large", "request_too_large", "INVALID_ARGUMENT"),
    415: ("Unsupported Media Type", "invalid_request_error", "INVALID_ARGUMENT"),
    429: ("Too Many Requests", "rate_limit_error", "RESOURCE_EXHAUSTED"),
    500: ("Internal Server Error", "api_error", "INTERNAL"),
    502: ("Bad Gateway", "api_error", "UNAVAILABLE"),
    503: ("Service Unavailable", "api_error", "UNAVAILABLE"),
}

# OpenAI's `error.type` for a 403 is "permission_denied"-ish in practice; the SDK keys off the
# status code, so the type is for humans reading raw responses.
_OPENAI_TYPES = {403: "permission_denied", 413: "invalid_request_error", 429: "rate_limit_exceeded"}
_BEDROCK_TYPES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    413: "ValidationException",
    415: "ValidationException",
    429: "ThrottlingException",
}


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def wants_html(accept: str | None, sec_fetch_dest: str | None = None) -> bool:
    """A browser navigating to a page, as opposed to a script or SDK calling an API."""
    if sec_fetch_dest:
        return sec_fetch_dest in ("document", "iframe")
    return bool(accept) and "text/html" in accept  # type: ignore[operator]


def error_reply(
    schema: str,
    status: int,
    message: str,
    code: str,
    *,
    html_page: bool = False,
    extra_headers: dict[str, str] | None = None,
) -> Reply:
    """An error in the wire format of the schema family the client is speaking."""
    headers = {"X-Warden-Error": code, **(extra_headers or {})}
    if html_page:
        headers["Content-Type"] = "text/html; charset=utf-8"
        return Reply(status, _html_page(status, message), headers)
    headers["Content-Type"] = "application/json"
    title, generic_type, google_status = _STATUS_TEXT.get(status, ("Error", "api_error", "UNKNOWN"))
    body: dict[str, object]
    family = schema.split(".", 1)[0]
    if family == "anthropic":
        body = {"type": "error", "error": {"type": generic_type, "message": message}}
    elif family == "gemini":
        body = {"error": {"code": status, "message": message, "status": google_status}}
    elif family == "bedrock":
        error_type = _BEDROCK_TYPES.get(status, "InternalServerException")
        headers["x-amzn-ErrorType"] = f"{error_type}:"
        body = {"message": message, "__type": error_type}
    elif family == "cohere":
        body = {"message": message}
    elif family == "chatgpt_web":
        body = {"detail": message}
    else:  # openai and every OpenAI-compatible or unknown API
        body = {
            "error": {
                "message": message,
                "type": _OPENAI_TYPES.get(status, generic_type),
                "param": None,
                "code": code,
            }
        }
    del title
    return Reply(status, json.dumps(body).encode(), headers)


def block_reply(
    schema: str, message: str, rule_id: str | None, *, html_page: bool = False
) -> Reply:
    """403 for a request a policy refused."""
    headers = {"X-Warden-Decision": "block"}
    if rule_id:
        headers["X-Warden-Rule"] = rule_id
    return error_reply(
        schema, 403, message, "blocked_by_policy", html_page=html_page, extra_headers=headers
    )


def _html_page(status: int, message: str) -> bytes:
    title = "Blocked by your organisation's AI policy" if status == 403 else "Request not sent"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; background: #f6f7f9; color: #1d2330; }}
main {{ max-width: 40rem; margin: 12vh auto; background: #fff; padding: 2rem 2.5rem;
       border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.4rem; margin-top: 0; }} .why {{ background: #fff4e5; padding: .8rem 1rem;
       border-left: 4px solid #f0a030; }} small {{ color: #667; }}
</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<p class="why">{html.escape(message)}</p>
<p>If you think this is a mistake, contact your security team and quote the time of this
message. Nothing you typed was sent to the AI service.</p>
<small>Egress Warden &middot; HTTP {status}</small>
</main></body></html>
""".encode()
