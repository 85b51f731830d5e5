"""Data loss prevention: find secrets and personal data in prompts, redact them in place."""

from warden.dlp.types import Finding, RedactionSpec, RedactionStyle, ScanResult

__all__ = ["Finding", "RedactionSpec", "RedactionStyle", "ScanResult"]
