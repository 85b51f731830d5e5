"""Cloudflare AI Gateway: /v1/{account}/{gateway}/{provider}/{rest}, the rest in that provider's
own format."""

from __future__ import annotations

from warden.schemas import anthropic, bedrock, cohere, gemini, generic, openai
from warden.schemas.routing import Route, Router

__all__ = ["route"]


def _azure_openai(path: str, query: str) -> Route:
    # Azure through the gateway is /{resource}/{deployment}/{rest}: rewrite it to Azure's own
    # layout so the deployment becomes the default model, as it does on a direct Azure call.
    parts = path.split("/", 3)
    if len(parts) < 4:
        return openai.route(path, query)
    return openai.route(f"/openai/deployments/{parts[2]}/{parts[3]}", query)


_PROVIDERS: dict[str, Router] = {
    **dict.fromkeys(
        [
            "openai",
            "groq",
            "mistral",
            "deepseek",
            "perplexity-ai",
            "openrouter",
            "grok",
            "huggingface",
            "workers-ai",
            "compat",
        ],
        openai.route,
    ),
    "azure-openai": _azure_openai,
    "anthropic": anthropic.route,
    "google-ai-studio": gemini.route,
    "google-vertex-ai": gemini.route,
    "aws-bedrock": bedrock.route,
    "cohere": cohere.route,
}


def route(path: str, query: str) -> Route:
    """Route by the provider segment, then by that provider's own rules."""
    parts = path.split("/")  # "", "v1", account, gateway, provider, *rest
    if len(parts) < 5 or parts[1] != "v1":
        return generic.route(path, query)  # e.g. the Universal Endpoint, /v1/{account}/{gateway}
    inner = "/" + "/".join(parts[5:])
    return _PROVIDERS.get(parts[4], generic.route)(inner, query)
