"""Stripe secret and restricted keys (live and test) and webhook signing secrets.

Publishable keys (pk_live_, pk_test_) are meant to be public and are not reported. Test-mode
secret keys are: they still read and write the account's test data.
"""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["StripeKeyRecognizer"]


class StripeKeyRecognizer(WardenRecognizer):
    ENTITY = "STRIPE_KEY"
    PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_")
    MAX_LENGTH = 260
    PATTERNS = (
        Pattern(
            "stripe_secret_key", r"(?<![\w-])[sr]k_(?:live|test)_[0-9A-Za-z]{24,247}(?![\w-])", 0.95
        ),
        Pattern("stripe_webhook_secret", r"(?<![\w-])whsec_[A-Za-z0-9+/=]{32,80}(?![\w-])", 0.9),
    )
