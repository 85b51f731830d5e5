"""AI requests as they reach an addon, and a Warden runtime configured from files in tmp_path,
for the in-process addon tests (mitmproxy's taddons and tflow, no proxy process)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from mitmproxy import http
from mitmproxy.proxy.layers import http as http_layer
from mitmproxy.test import taddons, tflow

from addons.exchange import exchange
from addons.refuse import refuse
from addons.runtime import RuntimeAddon
from warden.refusal import Refusal

# WardenPipeline dispatches only the hooks mitmproxy has registered; importing the HTTP layer
# registers requestheaders, request, response and the rest.
assert http_layer.HttpRequestHook.name == "request"

POLICY = """
version: 1
name: addon-tests
default_action: monitor
"""


def configure(
    tctx: taddons.context,
    runtime: RuntimeAddon,
    tmp_path: Path,
    *,
    policy: str = POLICY,
    identity: str | None = None,
    **options: Any,
) -> None:
    """Point the runtime at a policy (and identity) file written to tmp_path."""
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(textwrap.dedent(policy))
    if identity is not None:
        identity_path = tmp_path / "identity.yaml"
        identity_path.write_text(textwrap.dedent(identity))
        options["warden_identity"] = str(identity_path)
    tctx.configure(
        runtime,
        warden_policy=str(policy_path),
        warden_data_dir=str(tmp_path / "data"),
        **options,
    )


def chat_body(text: str, model: str = "gpt-4o-mini", **extra: Any) -> bytes:
    """An OpenAI chat completion request with one user message."""
    body = {"model": model, "messages": [{"role": "user", "content": text}], **extra}
    return json.dumps(body).encode()


def ai_request(
    host: str = "api.openai.com",
    body: bytes | None = None,
    path: str = "/v1/chat/completions",
) -> http.HTTPFlow:
    """A decrypted HTTPS request to `host`, as mitmproxy hands it to the addons."""
    flow = tflow.tflow()
    flow.server_conn.address = (host, 443)
    flow.client_conn.sni = host
    flow.request.scheme = "https"
    flow.request.host = host
    flow.request.port = 443
    flow.request.host_header = host
    flow.request.method = "POST"
    flow.request.path = path
    flow.request.headers["content-type"] = "application/json"
    flow.request.content = chat_body("Summarise the meeting notes.") if body is None else body
    return flow


def classified(flow: http.HTTPFlow, runtime: RuntimeAddon) -> http.HTTPFlow:
    """What classify.py leaves on an AI request: the catalog entry of its host."""
    entry = runtime.current().catalog.lookup(flow.request.host)
    assert entry is not None, flow.request.host
    exchange(flow).app = entry
    return flow


def applied(flow: http.HTTPFlow, refusal: Refusal | None) -> None:
    """What the pipeline does with a stage's answer (addons/pipeline.py)."""
    if refusal is not None:
        refuse(flow, refusal)
