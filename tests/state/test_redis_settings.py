"""`--state` URLs, TLS and passwords: checked at start, and never shown with the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.errors import ConfigError
from warden.state.redis_settings import PASSWORD_ENV, RedisSettings, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@cache:6379/0", "redis://:***@cache:6379/0"),
        ("rediss://warden:s3cret@cache.internal/2", "rediss://warden:***@cache.internal/2"),
        ("redis://cache:6379/0", "redis://cache:6379/0"),
    ],
)
def test_the_password_in_a_url_is_never_shown(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "s3cret" not in repr(RedisSettings.parse(url, environ={}))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://:s3cret@cache:6379/0", "use redis://"),
        ("redis://:s3cret@/0", "names no host"),
        ("redis://:s3cret@cache:6379/x", "must be a number"),
        # What an attack review saw printed: a password in the query, or one with an
        # unencoded / or # (base64 passwords have them), which cuts the URL before its @.
        ("redis://cache:6379/0?password=s3cret", "options in the URL"),
        ("rediss://cache:6380/0?ssl_cert_reqs=none&x=s3cret", "options in the URL"),
        ("redis://:s3/cret@cache:notaport/0", "not a valid URL"),
        ("redis://:s3cret#x@cache:6379/0", "not a valid URL|options in the URL"),
    ],
)
def test_a_bad_url_is_one_clear_error_without_the_password(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as caught:
        RedisSettings.parse(url, environ={})
    assert "s3cret" not in str(caught.value)


def test_the_password_comes_from_the_environment_or_a_private_file(tmp_path: Path) -> None:
    from_env = RedisSettings.parse("redis://cache/0", environ={PASSWORD_ENV: "envpw"})
    assert from_env.client_kwargs()["password"] == "envpw"
    secret = tmp_path / "state-password"
    secret.write_text("filepw\n")
    secret.chmod(0o600)
    from_file = RedisSettings.parse(
        "redis://cache/0", password_file=secret, environ={PASSWORD_ENV: "envpw"}
    )
    assert from_file.client_kwargs()["password"] == "filepw"
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        RedisSettings.parse("redis://cache/0", password_file=secret, environ={})


def test_a_ca_file_needs_tls(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match="needs a rediss://"):
        RedisSettings.parse("redis://cache/0", ca_file=ca, environ={})
    tls = RedisSettings.parse("rediss://cache/0", ca_file=ca, environ={})
    assert tls.tls and tls.client_kwargs()["ssl_ca_certs"] == str(ca)
