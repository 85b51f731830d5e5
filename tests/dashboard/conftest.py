"""The dashboard under AppTest, against a fixture store copied fresh for every test."""

from __future__ import annotations

import functools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

from dashboard.settings import ENV
from tests.dashboard.fixture_store import PASSWORDS, FixtureStore, build

APP = Path(__file__).parents[2] / "dashboard" / "app.py"

type OpenApp = Callable[..., AppTest]


@pytest.fixture(scope="session", autouse=True)
def _component_scan_once() -> Iterator[None]:
    """Every AppTest re-reads the metadata of all ~150 installed packages looking for
    Streamlit components (about 75 ms of CPU each time, 15 s over the suite); the answer
    cannot change while the tests run, so it is read once."""
    original = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(original)
    yield
    manifest_scanner.scan_component_manifests = original


@pytest.fixture(scope="session")
def _built_store(tmp_path_factory: pytest.TempPathFactory) -> FixtureStore:
    return build(tmp_path_factory.mktemp("dashboard-fixture"))


@pytest.fixture
def store(
    _built_store: FixtureStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FixtureStore]:
    """A private copy: tests record reviews, acknowledge alerts and edit the policy."""
    root = tmp_path / "store"
    shutil.copytree(_built_store.root, root)
    copy = replace(
        _built_store,
        root=root,
        data_dir=root / "data",
        policy=root / "policy.yaml",
        users_file=root / "dashboard-users.yaml",
    )
    monkeypatch.setenv(ENV["data_dir"], str(copy.data_dir))
    monkeypatch.setenv(ENV["users_file"], str(copy.users_file))
    monkeypatch.setenv(ENV["policy"], str(copy.policy))
    monkeypatch.setenv(ENV["proxy"], "")
    monkeypatch.setenv(ENV["refresh_s"], "0")
    monkeypatch.delenv("WARDEN_DLP_SALT", raising=False)
    yield copy
    st.cache_data.clear()
    st.cache_resource.clear()  # the login throttle


def plain(markdown: str) -> str:
    """Markdown source as a reader sees it: md()'s escapes undone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="login.name").input(name)
    at.text_input(key="login.password").input(PASSWORDS[name] if password is None else password)
    at.button[0].click().run()
    return at


@pytest.fixture
def open_app(store: FixtureStore) -> OpenApp:
    def open_(role: str | None = None, window: str = "Last 24 hours") -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=30).run()
        assert not at.exception, at.exception
        if role is not None:
            sign_in(at, role)
            assert not at.exception, at.exception
            if window != "Last 24 hours":
                at.sidebar.selectbox(key="window.preset").select(window).run()
        return at

    return open_
