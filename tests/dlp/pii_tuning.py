"""TUNING personal-data corpus (placeholder, filled in below)."""

from __future__ import annotations

from tests.dlp.corpus import Sample

__all__ = ["build_tuning"]


def build_tuning(seed: int, samples: int = 200) -> list[Sample]:
    return []
