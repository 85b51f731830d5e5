"""Azure: storage and Service Bus connection strings, Entra ID client secrets, SAS signatures,
and Azure OpenAI / AI services keys named as such."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["AzureConnectionStringRecognizer", "AzureKeyRecognizer"]


class AzureConnectionStringRecognizer(WardenRecognizer):
    """The key inside a connection string; the account name around it stays readable."""

    ENTITY = "AZURE_CONNECTION_STRING"
    PREFIXES = ("accountkey=", "sharedaccesskey=")
    MAX_LENGTH = 120
    PATTERNS = (
        Pattern(
            "azure_storage_account_key", r"(?i:AccountKey)=(?P<value>[A-Za-z0-9+/]{86}==)", 1.0
        ),
        Pattern(
            "azure_shared_access_key",
            r"(?i:SharedAccessKey)=(?P<value>[A-Za-z0-9+/]{42,44}=?)(?![A-Za-z0-9+/=])",
            0.95,
        ),
    )


class AzureKeyRecognizer(WardenRecognizer):
    ENTITY = "AZURE_KEY"
    PREFIXES = ("q~", "sig=", "azure", "ocp-apim-subscription-key", "api-key")
    BEFORE = 5  # an Entra ID secret has 3 characters and a digit before "Q~"
    MAX_LENGTH = 200
    PATTERNS = (
        # Entra ID (Azure AD) client secrets carry "Q~" after a 3-character id and a digit.
        Pattern(
            "entra_client_secret",
            r"(?<![\w~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])",
            0.9,
        ),
        # The signature of a shared access signature URL or token.
        Pattern(
            "azure_sas_signature",
            r"[?&;]sig=(?P<value>[A-Za-z0-9%+/=]{40,120})(?![A-Za-z0-9%+/=])",
            0.85,
        ),
        # Cognitive services / Azure OpenAI keys: 32 hex (older) or 84 alphanumerics (newer),
        # reported when a name says they are Azure keys.
        Pattern(
            "azure_named_key",
            r"(?i:azure|ocp-apim-subscription-key|api-key)[A-Za-z0-9_ .-]{0,40}?[\"']?\s{0,3}"
            r"[:=]\s{0,3}[\"']?(?P<value>[a-f0-9]{32}|[A-Za-z0-9]{84})(?![A-Za-z0-9])",
            0.85,
        ),
    )
