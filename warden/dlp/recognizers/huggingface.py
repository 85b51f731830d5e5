"""Hugging Face user access tokens (hf_) and organization API tokens (api_org_)."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["HuggingFaceTokenRecognizer"]


class HuggingFaceTokenRecognizer(WardenRecognizer):
    ENTITY = "HUGGINGFACE_TOKEN"
    PREFIXES = ("hf_", "api_org_")
    MAX_LENGTH = 50
    PATTERNS = (
        # hf_ plus 34 letters and digits; mixed case is what separates a token from an
        # identifier such as hf_transformers_model_weights_cache.
        Pattern("huggingface_token", r"(?<![\w-])hf_[A-Za-z0-9]{34}(?![\w-])", 0.6),
        Pattern("huggingface_org_token", r"(?<![\w-])api_org_[A-Za-z0-9]{34}(?![\w-])", 0.9),
    )

    def validate_result(self, pattern_text: str) -> bool | None:
        body = pattern_text.rsplit("_", 1)[-1]
        return any(c.isupper() for c in body) and any(c.islower() for c in body)
