"""PyPI and TestPyPI API tokens: macaroons whose base64 header names the index."""

from __future__ import annotations

from warden.dlp.recognizers.base import Pattern, WardenRecognizer

__all__ = ["PyPITokenRecognizer"]


class PyPITokenRecognizer(WardenRecognizer):
    ENTITY = "PYPI_TOKEN"
    PREFIXES = ("pypi-",)
    MAX_LENGTH = 400
    PATTERNS = (
        # "AgEIcHlwaS5vcmc" and "AgENdGVzdC5weXBpLm9yZw" are the macaroon headers for
        # pypi.org and test.pypi.org: constant in every token.
        Pattern(
            "pypi_token",
            r"(?<![\w-])pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,300}(?![\w-])",
            1.0,
        ),
    )
