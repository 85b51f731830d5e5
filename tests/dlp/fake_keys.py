"""Format-valid fake credentials for every family Warden detects, from a seeded generator.

Each value has the exact shape (prefix, length, alphabet, checksum) of a real one and is
random, so it authenticates nowhere. Never put a real credential in a test.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

from warden.dlp.recognizers.github import base62_crc32

__all__ = ["FAMILIES", "FakeKeys"]

_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"
_B64 = _ALNUM + "+/"
_HEX = "0123456789abcdef"
_UPPER32 = string.ascii_uppercase + "234567"


class FakeKeys:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _s(self, alphabet: str, n: int) -> str:
        # Guarantee the mix real keys have (upper, lower, digit) so format checks apply.
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(n))
            if alphabet is not _ALNUM and alphabet is not _URLSAFE and alphabet is not _B64:
                return value
            if (
                any(c.isdigit() for c in value)
                and any(c.isupper() for c in value)
                and any(c.islower() for c in value)
            ):
                return value

    def openai(self) -> str:
        kind = self.rng.choice(["proj", "svcacct", "admin", None])
        if kind is None:
            return f"sk-{self._s(_ALNUM, 20)}T3BlbkFJ{self._s(_ALNUM, 20)}"
        return f"sk-{kind}-{self._s(_URLSAFE, 74)}T3BlbkFJ{self._s(_URLSAFE, 74)}"

    def anthropic(self) -> str:
        kind = self.rng.choice(["api03", "admin01"])
        return f"sk-ant-{kind}-{self._s(_URLSAFE, 93)}AA"

    def google(self) -> str:
        return self.rng.choice([f"AIza{self._s(_URLSAFE, 35)}", f"GOCSPX-{self._s(_URLSAFE, 28)}"])

    def aws_access_key_id(self) -> str:
        return self.rng.choice(["AKIA", "ASIA"]) + self._s(_UPPER32, 16)

    def aws_secret_access_key(self) -> str:
        return self._s(_B64, 40)

    def github(self) -> str:
        if self.rng.random() < 0.2:
            return f"github_pat_{self._s(_ALNUM, 22)}_{self._s(_ALNUM, 59)}"
        body = self._s(_ALNUM, 30)
        return f"gh{self.rng.choice('pousr')}_{body}{base62_crc32(body)}"

    def gitlab(self) -> str:
        return f"glpat-{self._s(_URLSAFE, 20)}"

    def slack_token(self) -> str:
        team, user = self.rng.randrange(10**10, 10**12), self.rng.randrange(10**10, 10**12)
        return f"xox{self.rng.choice('bp')}-{team}-{user}-{self._s(_ALNUM, 24)}"

    def slack_webhook(self) -> str:
        team = "T" + self._s(string.ascii_uppercase + string.digits, 9)
        hook = "B" + self._s(string.ascii_uppercase + string.digits, 10)
        return f"https://hooks.slack.com/services/{team}/{hook}/{self._s(_ALNUM, 24)}"

    def stripe(self) -> str:
        kind, mode = self.rng.choice(["sk", "rk"]), self.rng.choice(["live", "test"])
        return f"{kind}_{mode}_{self._s(_ALNUM, 99)}"

    def huggingface(self) -> str:
        return f"hf_{self._s(string.ascii_letters, 34)}"

    def azure_storage_connection_string(self) -> str:
        account = "".join(self.rng.choice(string.ascii_lowercase) for _ in range(12))
        key = self._s(_B64, 86) + "=="
        return (
            f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};"
            "EndpointSuffix=core.windows.net"
        )

    def azure_client_secret(self) -> str:
        return f"{self._s(_ALNUM, 3)}{self.rng.randrange(10)}Q~{self._s(_ALNUM + '_~.-', 34)}"

    def twilio(self) -> str:
        return "SK" + self._s(_HEX, 32)

    def sendgrid(self) -> str:
        return f"SG.{self._s(_URLSAFE, 22)}.{self._s(_URLSAFE, 43)}"

    def npm(self) -> str:
        body = self._s(_ALNUM, 30)
        return f"npm_{body}{base62_crc32(body)}"

    def pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self._s(_URLSAFE, 140)

    def jwt(self) -> str:
        def part(obj: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        header = part({"alg": self.rng.choice(["HS256", "RS256"]), "typ": "JWT"})
        payload = part({"sub": str(self.rng.randrange(10**6)), "iat": 1700000000})
        return f"{header}.{payload}.{self._s(_URLSAFE, 43)}"

    def private_key(self) -> str:
        kind = self.rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
        body = "\n".join(self._s(_B64, 64) for _ in range(self.rng.randint(4, 12)))
        return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"

    def password(self) -> str:
        return self._s(_ALNUM, 8) + self.rng.choice("!#%&*") + str(self.rng.randrange(100))

    def url_with_credentials(self) -> tuple[str, str]:
        """A database URL and the password inside it (what must be found)."""
        password = self.password()
        scheme = self.rng.choice(["postgres", "mysql", "mongodb+srv", "redis", "amqp"])
        user = self.rng.choice(["app", "admin", "svc_reporting", "root"])
        return (
            f"{scheme}://{user}:{password}@db-{self.rng.randrange(99)}.internal:5432/prod",
            password,
        )

    def generic_secret(self) -> str:
        return self._s(_ALNUM, self.rng.choice([24, 32, 40]))


# entity type -> how to make a fake value of it
FAMILIES: dict[str, Callable[[FakeKeys], str]] = {
    "OPENAI_API_KEY": FakeKeys.openai,
    "ANTHROPIC_API_KEY": FakeKeys.anthropic,
    "GOOGLE_API_KEY": FakeKeys.google,
    "AWS_ACCESS_KEY_ID": FakeKeys.aws_access_key_id,
    "GITHUB_TOKEN": FakeKeys.github,
    "GITLAB_TOKEN": FakeKeys.gitlab,
    "SLACK_TOKEN": FakeKeys.slack_token,
    "SLACK_WEBHOOK_URL": FakeKeys.slack_webhook,
    "STRIPE_KEY": FakeKeys.stripe,
    "HUGGINGFACE_TOKEN": FakeKeys.huggingface,
    "AZURE_KEY": FakeKeys.azure_client_secret,
    "TWILIO_KEY": FakeKeys.twilio,
    "SENDGRID_API_KEY": FakeKeys.sendgrid,
    "NPM_TOKEN": FakeKeys.npm,
    "PYPI_TOKEN": FakeKeys.pypi,
    "JWT": FakeKeys.jwt,
    "PRIVATE_KEY": FakeKeys.private_key,
}
