"""The alert tests' receivers, for the state tests that deliver."""

from tests.alerts.conftest import webhook

__all__ = ["webhook"]
