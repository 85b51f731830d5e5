"""An administrator's `--allow-unsafe-option` lets one refused mitmproxy option through, with a
warning in the log; a mitmproxy config.yaml beside the CA is not a way around the vetting."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import StartWarden
from tests.support import MockProviders

pytestmark = pytest.mark.e2e


def test_an_allowed_unsafe_option_works_with_a_warning_and_config_yaml_is_ignored(
    start_warden: StartWarden, mock: MockProviders, certs_dir: Path, tmp_path: Path
) -> None:
    dump, har = tmp_path / "flows.mitm", tmp_path / "flows.har"
    config = certs_dir / "config.yaml"  # where mitmdump would read options from
    config.write_text(f"save_stream_file: {dump}\n")
    try:
        warden = start_warden(
            extra_args=[
                "--allow-unsafe-option",
                "hardump",
                "--set",
                f"hardump={har}",
            ]
        )
        mock.clear()
        answer = warden.openai().chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
        )
        assert answer.choices[0].message.content
        warden.process.stop()  # mitmproxy writes a HAR file on exit
    finally:
        config.unlink()
    log = warden.log()
    assert "WARNING: hardump is allowed by --allow-unsafe-option" in log
    assert "HAR file" in log
    assert f"{config} is ignored" in log
    # The admin's choice took effect...
    assert "api.openai.com" in har.read_text()
    # ...and config.yaml's did not (mitmproxy opens a save_stream_file when it is set).
    assert not dump.exists()
