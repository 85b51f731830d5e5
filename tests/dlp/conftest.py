"""One scanner per test session: building it compiles every pattern and loads spaCy."""

from __future__ import annotations

import pytest

from warden.dlp.scanner import Scanner
from warden.policy.model import DlpPolicy

TEST_SALT = b"warden-tests"


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    built = Scanner(DlpPolicy(), salt=TEST_SALT)
    built.warm_up()
    return built


@pytest.fixture(scope="session")
def secrets_scanner() -> Scanner:
    return Scanner(DlpPolicy(entities=["SECRETS"], ner=False), salt=TEST_SALT)
