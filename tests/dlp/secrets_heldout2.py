# ruff: noqa: E501, RUF001  (a corpus of pasted text: long literal lines, a full-width colon on purpose)
"""A SECOND held-out secrets corpus: written without reading the recognizers, and never tuned on.

The first held-out set (tests/dlp/secrets_heldout.py) was used to fix the recognizers, so its
figures stopped being held out. This one was written from the list of entity types in
docs/dlp.md and from what people paste into chat assistants: Jupyter cells with their
outputs, tracebacks with `os.environ` printed, `kubectl describe` / `docker inspect` output,
`env | sort`, HAR and Postman dumps, browser cookie and localStorage dumps, SQL INSERTs, CSV
exports, Markdown tables, Spring/Rails/Django settings, dotfiles (`.npmrc`, `.pypirc`,
`.netrc`, `.git-credentials`, `~/.docker/config.json`), CLI status output, forwarded mails,
chat transcripts, keys in URL queries and userinfo, keys wrapped in punctuation, prose in
German/French/Spanish/Japanese, unicode and very short passwords, and the vendor keys of
tests/dlp/fake_keys.py. Hard negatives (families `neg_*`, and decoys inside positive prompts):
placeholders and redacted values, hashes, ids, UUIDs, commit SHAs, base64 of plain JSON,
public keys, vendor documentation keys, masked keys, variable references, random-looking
slugs and digests, and JWT-shaped strings that are not JWTs.

Every value is drawn fresh from the seed (documentation examples excepted: they are fixed by
definition). Each planted secret carries the entity type a reader would file it under and a
finer kind; scoring is tests/dlp/scoring.py's SECRETS group (any secret type covering the
whole value counts). Run it with `python -m benchmarks.secrets_eval2`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from tests.dlp.corpus import Label, Sample
from tests.dlp.fake_keys import FAMILIES, FakeKeys

__all__ = ["Case", "build_heldout2", "corpus_summary", "shape"]

_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_B64 = _ALNUM + "+/"


@dataclass
class Case:
    sample: Sample  # sample.kind is "family/template"
    family: str
    kinds: list[str]  # one per label: the finer kind of each planted secret
    negatives: int = 0  # hard-negative decoys planted in the text


class _B:
    """Builds one prompt: text pieces, planted secrets (labelled) and decoys (counted)."""

    def __init__(self, family: str, template: str) -> None:
        self.family, self.template = family, template
        self.parts: list[str] = []
        self.labels: list[Label] = []
        self.kinds: list[str] = []
        self.negatives = 0
        self.length = 0

    def t(self, text: str) -> _B:
        self.parts.append(text)
        self.length += len(text)
        return self

    def s(self, value: str, entity: str, kind: str | None = None) -> _B:
        self.labels.append(Label(entity, self.length, self.length + len(value)))
        self.kinds.append(kind or entity.lower())
        return self.t(value)

    def n(self, value: str) -> _B:
        self.negatives += 1
        return self.t(value)

    def case(self) -> Case:
        sample = Sample(f"{self.family}/{self.template}", "".join(self.parts), self.labels)
        return Case(sample, self.family, self.kinds, self.negatives)


_PREFIXES = (
    "sk-proj-", "sk-svcacct-", "sk-admin-", "sk-ant-api03-", "sk-ant-admin01-", "sk-",
    "github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "glpat-", "xoxb-", "xoxp-",
    "sk_live_", "sk_test_", "rk_live_", "rk_test_", "hf_", "SG.", "npm_",
    "pypi-AgEIcHlwaS5vcmc", "AIza", "GOCSPX-", "AKIA", "ASIA", "eyJ", "-----BEGIN ",
    "https://hooks.slack.com/services/", "django-insecure-",
)  # fmt: skip


def shape(value: str) -> str:
    """A value's masked shape: a public vendor prefix, then runs of letters and digits as
    their classes and length (`Aa9x40`), punctuation kept. Never the value."""
    prefix = next((p for p in _PREFIXES if value.startswith(p)), "")
    out: list[str] = [prefix]
    rest = value[len(prefix) :]
    i = 0
    while i < len(rest):
        c = rest[i]
        if c.isalnum():
            j = i
            while j < len(rest) and rest[j].isalnum():
                j += 1
            run = rest[i:j]
            cls = (
                ("A" if any(x.isupper() for x in run) else "")
                + ("a" if any(x.islower() for x in run) else "")
                + ("9" if any(x.isdigit() for x in run) else "")
                + ("u" if any(not x.isascii() for x in run) else "")
            )
            out.append(f"{cls}x{len(run)}")
            i = j
        else:
            out.append({"\n": "⏎", " ": "␠", "\t": "⇥"}.get(c, c))
            i += 1
    text = "".join(out)
    return text if len(text) <= 90 else f"{text[:80]}…({len(value)} chars)"


class _G:
    """Fresh values for one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 2)
        self.fk = FakeKeys(seed * 104729 + 5)
        self.vendor_idx = -1

    def pick(self, items: list[str] | tuple[str, ...]) -> str:
        return self.rng.choice(items)

    def chars(self, alphabet: str, n: int) -> str:
        while True:
            v = "".join(self.rng.choice(alphabet) for _ in range(n))
            if alphabet != _ALNUM or (
                any(c.isdigit() for c in v)
                and any(c.isupper() for c in v)
                and any(c.islower() for c in v)
            ):
                return v

    def hex(self, n: int) -> str:
        return self.chars(_HEX, n)

    def token(self, n: int | None = None) -> str:
        return self.chars(_ALNUM, n or self.rng.choice([20, 24, 32, 40, 48]))

    def urlsafe(self, n: int) -> str:
        return self.chars(_ALNUM + "-_", n)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def password(self) -> str:
        style = self.rng.randrange(4)
        if style == 0:
            return self.fk.password()
        if style == 1:
            words = ["Harbor", "Falcon", "Maple", "Quartz", "Nimbus", "Cobalt", "Ember", "Tundra"]
            return (
                self.pick(words)
                + self.pick(["!", "#", "$", "%", "@", "-", "_"])
                + str(self.rng.randrange(10, 9999))
                + self.pick(words).lower()
            )
        if style == 2:
            return self.chars(_ALNUM + "!@#$%^&*-_+=", self.rng.randint(10, 18))
        return self.chars(_ALNUM, self.rng.randint(10, 16))

    def short_password(self) -> str:
        n = self.rng.randint(4, 7)
        while True:
            v = self.chars(_ALNUM + "!#$%&*", n)
            if any(c.isdigit() for c in v) and any(c.isalpha() for c in v):
                return v

    def unicode_password(self) -> str:
        pieces = [
            "Grüße", "Straße", "Müller", "Über", "contraseña", "Ñandú", "mañana", "pâtisserie",
            "Forêt", "Kœnig", "Ærø", "Łódź", "Ğüneş", "пароль", "Пётр", "東京", "さくら", "秘密",
        ]  # fmt: skip
        return (
            self.pick(pieces)
            + self.pick(["#", "!", "-", "_", "%", "."])
            + str(self.rng.randrange(10, 99999))
            + self.pick(["", "xY", "Qz", self.pick(pieces)])
        )

    def vendor(self) -> tuple[str, str]:
        entity = self.pick(sorted(FAMILIES))
        return entity, FAMILIES[entity](self.fk)

    def bearer(self) -> tuple[str, str, str]:
        """(entity, value, kind) of what follows `Bearer `."""
        r = self.rng.random()
        if r < 0.35:
            return "JWT", self.fk.jwt(), "jwt"
        if r < 0.6:
            e, v = self.vendor()
            if e in ("PRIVATE_KEY", "SLACK_WEBHOOK_URL"):
                e, v = "OPENAI_API_KEY", self.fk.openai()
            return e, v, e.lower()
        return "GENERIC_SECRET", self.urlsafe(self.rng.choice([32, 40, 43, 64])), "opaque_bearer"

    def user(self) -> str:
        return self.pick(["deploy", "svc_etl", "jenkins", "admin", "app", "ci-bot", "mchen"])

    def host(self) -> str:
        return self.pick(
            ["db.internal", "pg-prod-2.corp.lan", "10.0.3.17", "mysql.staging.acme.io", "redis-0"]
        )

    def sha(self) -> str:
        return self.hex(40)

    def sha256(self) -> str:
        return self.hex(64)


# family -> list of (template function, count per seed)
_Tpl = Callable[[_G], Case]
_TEMPLATES: list[tuple[str, _Tpl, int]] = []


def tpl(family: str, count: int) -> Callable[[_Tpl], _Tpl]:
    def register(fn: _Tpl) -> _Tpl:
        _TEMPLATES.append((family, fn, count))
        return fn

    return register


# ---------------------------------------------------------------- positives


@tpl("jupyter", 3)
def jupyter_openai(g: _G) -> Case:
    key = g.fk.openai()
    b = _B("jupyter", "cell_out")
    b.t("why does this cell hang?\n\nIn [3]: import openai, os\n   ...: openai.api_key = '")
    b.s(key, "OPENAI_API_KEY").t("'\n   ...: client = openai.OpenAI(api_key=openai.api_key)\n\n")
    b.t("In [4]: client.api_key\nOut[4]: '").s(key, "OPENAI_API_KEY").t("'\n\n")
    b.t(
        "In [5]: client.models.list()\n---------------------------------------------------------------------------\n"
    )
    return b.t(
        "APITimeoutError                           Traceback (most recent call last)\n"
    ).case()


@tpl("jupyter", 3)
def jupyter_magic(g: _G) -> Case:
    hf = g.fk.huggingface()
    b = _B("jupyter", "env_magic")
    b.t("%env HF_TOKEN=").s(hf, "HUGGINGFACE_TOKEN").t("\nenv: HF_TOKEN=").s(
        hf, "HUGGINGFACE_TOKEN"
    )
    b.t(
        "\n\n!huggingface-cli whoami\nNot logged in\n\nwhy is it not picking the env var up in colab?"
    )
    return b.case()


@tpl("jupyter", 3)
def jupyter_dataframe(g: _G) -> Case:
    b = _B("jupyter", "df_output")
    b.t("df = pd.read_sql('select name, host, password from connections', engine)\ndf.head()\n\n")
    b.t("      name                host          password\n")
    for i in range(2):
        b.t(f"{i}  {g.pick(['warehouse', 'crm', 'billing', 'events'])}_{i}  {g.host():<20}  ")
        b.s(g.password(), "GENERIC_SECRET", "password/df_cell").t("\n")
    return b.t("\nhow do I drop the password column before df.to_csv?").case()


@tpl("traceback_env", 4)
def traceback_environ(g: _G) -> Case:
    pw, stripe, sess = g.password(), g.fk.stripe(), g.token(50)
    b = _B("traceback_env", "os_environ_dict")
    b.t('Traceback (most recent call last):\n  File "/app/worker.py", line 88, in <module>\n')
    b.t(
        "    main()\nKeyError: 'REDIS_URL'\n\nprint(os.environ) gave:\nenviron({'PATH': '/usr/local/bin:/usr/bin', "
    )
    b.t(f"'HOSTNAME': '{g.hex(12)}', 'HOME': '/root', 'DATABASE_URL': 'postgres://app:")
    b.s(pw, "URL_CREDENTIALS", "password/url").t(f"@{g.host()}:5432/app', 'STRIPE_SECRET_KEY': '")
    b.s(stripe, "STRIPE_KEY").t("', 'SESSION_SECRET': '").s(sess, "GENERIC_SECRET", "env_secret")
    b.t("', 'GIT_SHA': '").n(g.sha()).t("', 'LANG': 'C.UTF-8'})")
    return b.case()


@tpl("traceback_env", 3)
def traceback_django_debug(g: _G) -> Case:
    aws_id, aws_secret = g.fk.aws_access_key_id(), g.fk.aws_secret_access_key()
    b = _B("traceback_env", "django_debug_settings")
    b.t("Django debug page, Settings section (copied):\n\nAWS_ACCESS_KEY_ID\t'")
    b.s(aws_id, "AWS_ACCESS_KEY_ID").t("'\nAWS_SECRET_ACCESS_KEY\t'")
    b.s(aws_secret, "AWS_SECRET_ACCESS_KEY").t("'\nAWS_STORAGE_BUCKET_NAME\t'media-prod'\n")
    b.t("SECRET_KEY\t'").n("********************").t("'\nEMAIL_HOST_PASSWORD\t'")
    b.n("********************").t("'\nDEBUG\tTrue\n\nwhy is S3 returning SignatureDoesNotMatch?")
    return b.case()


@tpl("traceback_env", 3)
def traceback_node(g: _G) -> Case:
    tok = g.fk.github()
    b = _B("traceback_env", "node_process_env")
    b.t(
        "HttpError: Bad credentials\n    at /app/node_modules/@octokit/request/dist-node/index.js:86:21\n"
    )
    b.t("console.log(process.env) ->\n{\n  NODE_ENV: 'production',\n  GITHUB_TOKEN: '")
    b.s(tok, "GITHUB_TOKEN").t("',\n  npm_package_version: '2.4.1',\n  BUILD_ID: '").n(g.uuid())
    return b.t("'\n}").case()


@tpl("kubectl", 4)
def kubectl_describe(g: _G) -> Case:
    pw, tok = g.password(), g.token(40)
    b = _B("kubectl", "describe_pod")
    b.t(
        f"$ kubectl describe pod api-{g.hex(10)}-{g.chars(string.ascii_lowercase + string.digits, 5)}\n"
    )
    b.t("Containers:\n  api:\n    Image:          registry.acme.io/api@sha256:").n(g.sha256())
    b.t(
        "\n    Environment:\n      NODE_ENV:           production\n      REDIS_URL:          redis://:"
    )
    b.s(pw, "URL_CREDENTIALS", "password/url").t("@redis-master:6379/0\n      INTERNAL_API_TOKEN: ")
    b.s(tok, "GENERIC_SECRET", "env_token").t("\n      DB_PASSWORD:        ")
    b.n("<set to the key 'password' in secret 'db-creds'>")
    b.t("  Optional: false\n\nthe pod crashloops, why?")
    return b.case()


@tpl("kubectl", 4)
def kubectl_secret_yaml(g: _G) -> Case:
    pw, key = g.password(), g.token(32)
    b = _B("kubectl", "get_secret_yaml")
    b.t("$ kubectl get secret app-creds -o yaml\napiVersion: v1\ndata:\n  password: ")
    b.s(base64.b64encode(pw.encode()).decode(), "GENERIC_SECRET", "k8s_secret_b64")
    b.t("\n  api-key: ").s(
        base64.b64encode(key.encode()).decode(), "GENERIC_SECRET", "k8s_secret_b64"
    )
    b.t("\nkind: Secret\nmetadata:\n  name: app-creds\n  uid: ").n(g.uuid())
    return b.t(
        f'\n  resourceVersion: "{g.rng.randrange(10**6)}"\ntype: Opaque\n\nhow do I rotate this?'
    ).case()


@tpl("docker_inspect", 5)
def docker_inspect(g: _G) -> Case:
    pw, aws_id, aws_secret = g.password(), g.fk.aws_access_key_id(), g.fk.aws_secret_access_key()
    b = _B("docker_inspect", "config_env")
    b.t('$ docker inspect web\n[\n    {\n        "Id": "').n(g.sha256())
    b.t('",\n        "Image": "sha256:').n(g.sha256())
    b.t('",\n        "Config": {\n            "Env": [\n                "POSTGRES_PASSWORD=')
    b.s(pw, "GENERIC_SECRET", "password/env").t('",\n                "AWS_ACCESS_KEY_ID=')
    b.s(aws_id, "AWS_ACCESS_KEY_ID").t('",\n                "AWS_SECRET_ACCESS_KEY=')
    b.s(aws_secret, "AWS_SECRET_ACCESS_KEY").t(
        '",\n                "PATH=/usr/local/sbin:/usr/local/bin"\n'
    )
    return b.t("            ]\n        }\n    }\n]").case()


@tpl("env_sort", 6)
def env_sort(g: _G) -> Case:
    e1, v1 = g.vendor()
    while e1 in ("PRIVATE_KEY", "SLACK_WEBHOOK_URL"):
        e1, v1 = g.vendor()
    pw = g.password()
    b = _B("env_sort", "env_pipe_sort")
    b.t("$ env | sort\nCOLORTERM=truecolor\nHOME=/home/dev\nLANG=en_US.UTF-8\n")
    b.t(f"{e1}=").s(v1, e1).t("\nLOGNAME=dev\nOLDPWD=/home/dev/src\nPGPASSWORD=")
    b.s(pw, "GENERIC_SECRET", "password/env").t("\nPWD=/home/dev/src/api\nSHLVL=1\n")
    b.t(
        f"SSH_AUTH_SOCK=/tmp/ssh-{g.chars(string.ascii_letters, 10)}/agent.{g.rng.randrange(9999)}\n"
    )
    b.t(
        "TERM=xterm-256color\nVIRTUAL_ENV=/home/dev/src/api/.venv\n\nsomething in here breaks psql, which one?"
    )
    return b.case()


@tpl("har_json", 6)
def har_request(g: _G) -> Case:
    entity, tok, kind = g.bearer()
    sess = g.urlsafe(g.rng.choice([32, 40]))
    b = _B("har_json", "har_headers")
    b.t(
        '{"log": {"entries": [{"request": {"method": "POST", "url": "https://api.acme.io/v1/orders",\n'
    )
    b.t('  "headers": [\n    {"name": "Content-Type", "value": "application/json"},\n')
    b.t('    {"name": "Authorization", "value": "Bearer ').s(tok, entity, kind).t('"},\n')
    b.t(
        f'    {{"name": "Cookie", "value": "_ga=GA1.2.{g.rng.randrange(10**9)}.{g.rng.randrange(10**9)}; session_id='
    )
    b.s(sess, "GENERIC_SECRET", "session_cookie").t('"},\n    {"name": "X-Request-Id", "value": "')
    b.n(g.uuid()).t('"}\n  ]}, "response": {"status": 401}}]}}\n\nwhy 401?')
    return b.case()


@tpl("postman", 5)
def postman_collection(g: _G) -> Case:
    entity, tok, kind = g.bearer()
    api, pw = g.token(32), g.password()
    b = _B("postman", "collection_json")
    b.t('{\n  "info": {"_postman_id": "').n(g.uuid()).t('", "name": "Partner API"},\n')
    b.t('  "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "').s(tok, entity, kind)
    b.t(
        '", "type": "string"}]},\n  "variable": [\n    {"key": "baseUrl", "value": "https://partner.example.com"},\n'
    )
    b.t('    {"key": "apiKey", "value": "').s(api, "GENERIC_SECRET", "postman_variable")
    b.t('"}\n  ],\n  "item": [{"name": "login", "request": {"auth": {"type": "basic", "basic": [\n')
    b.t(f'    {{"key": "username", "value": "{g.user()}"}},\n    {{"key": "password", "value": "')
    b.s(pw, "GENERIC_SECRET", "password/json").t('"}]}}}]\n}')
    return b.case()


@tpl("browser_storage", 4)
def browser_localstorage(g: _G) -> Case:
    jwt, refresh = g.fk.jwt(), g.urlsafe(43)
    b = _B("browser_storage", "localstorage")
    b.t("> JSON.parse(localStorage.getItem('auth'))\n< {access_token: '")
    b.s(jwt, "JWT").t("', refresh_token: '").s(refresh, "GENERIC_SECRET", "refresh_token")
    b.t(f"', expires_in: 3600, user_id: '{g.uuid()}'}}")
    return b.t("\n\nthe refresh keeps failing after an hour").case()


@tpl("browser_storage", 4)
def browser_cookie_table(g: _G) -> Case:
    sess, remember = g.token(40), g.hex(64)
    b = _B("browser_storage", "devtools_cookie_table")
    b.t("Name\tValue\tDomain\tPath\tExpires / Max-Age\tHttpOnly\n")
    b.t("_ga\tGA1.1.").t(
        f"{g.rng.randrange(10**9)}.{g.rng.randrange(10**9)}\t.shop.example\t/\t2026-01-01\t\n"
    )
    b.t("laravel_session\t").s(sess, "GENERIC_SECRET", "session_cookie").t(
        "\tshop.example\t/\tSession\t✓\n"
    )
    b.t("remember_web\t").s(remember, "GENERIC_SECRET", "session_cookie")
    b.t("\tshop.example\t/\t2025-12-31\t✓\n\nwhich of these logs me in?")
    return b.case()


@tpl("sql_insert", 6)
def sql_insert(g: _G) -> Case:
    stripe, sg, internal = g.fk.stripe(), g.fk.sendgrid(), g.token(40)
    b = _B("sql_insert", "credentials_table")
    b.t("INSERT INTO api_credentials (id, service, api_key, created_at) VALUES\n  (1, 'stripe', '")
    b.s(stripe, "STRIPE_KEY").t("', now()),\n  (2, 'sendgrid', '").s(sg, "SENDGRID_API_KEY")
    b.t("', now()),\n  (3, 'internal', '").s(internal, "GENERIC_SECRET", "sql_api_key")
    b.t(
        '\', now());\n-- ERROR:  duplicate key value violates unique constraint "api_credentials_pkey"'
    )
    return b.case()


@tpl("sql_insert", 4)
def sql_insert_users(g: _G) -> Case:
    b = _B("sql_insert", "users_plain_password")
    b.t("INSERT INTO users (email, password, role) VALUES ")
    for i in range(2):
        b.t(f"{',' if i else ''}\n  ('{g.user()}{i}@acme.io', '").s(
            g.password(), "GENERIC_SECRET", "password/sql"
        )
        b.t("', 'admin')")
    return b.t(";\n\nthe legacy app stores these in plain text, how do I migrate to bcrypt?").case()


@tpl("csv_export", 6)
def csv_export(g: _G) -> Case:
    b = _B("csv_export", "api_key_column")
    b.t("service,owner,api_key,created\n")
    for svc in g.rng.sample(["billing", "search", "maps", "email", "etl", "crm"], 3):
        r = g.rng.random()
        b.t(f"{svc},{g.user()}@acme.io,")
        if r < 0.4:
            e, v = g.vendor()
            while e in ("PRIVATE_KEY", "SLACK_WEBHOOK_URL", "JWT"):
                e, v = g.vendor()
            b.s(v, e)
        else:
            b.s(g.token(), "GENERIC_SECRET", "csv_api_key")
        b.t(f",2024-0{g.rng.randint(1, 9)}-1{g.rng.randint(0, 9)}\n")
    return b.t("\nturn this into a markdown table please").case()


@tpl("md_table", 6)
def md_table(g: _G) -> Case:
    b = _B("md_table", "service_accounts")
    b.t("| account | system | password | notes |\n|---|---|---|---|\n")
    for acct in g.rng.sample(["svc-etl", "svc-backup", "jenkins", "grafana", "airflow"], 2):
        b.t(f"| {acct} | {g.host()} | ")
        wrap = g.pick(["", "`"])
        b.t(wrap).s(g.password(), "GENERIC_SECRET", "password/md_cell").t(wrap)
        b.t(f" | rotated {g.rng.randint(1, 28)}.0{g.rng.randint(1, 9)} |\n")
    return b.t("\nCan you sort by system and add a column for owner?").case()


@tpl("framework_yaml", 4)
def spring_yaml(g: _G) -> Case:
    pw, jwt_secret = g.password(), g.urlsafe(64)
    b = _B("framework_yaml", "spring_application_yml")
    b.t(
        "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/orders\n    username: orders\n    password: "
    )
    b.s(pw, "GENERIC_SECRET", "password/yaml").t(
        "\n  jpa:\n    hibernate:\n      ddl-auto: validate\n"
    )
    b.t("app:\n  jwt:\n    secret: ").s(jwt_secret, "GENERIC_SECRET", "yaml_secret")
    return b.t(
        "\n    expiration: 86400\n\nstartup fails with HikariPool-1 - Exception during pool initialization"
    ).case()


@tpl("framework_yaml", 4)
def rails_credentials(g: _G) -> Case:
    base, aws_id, aws_secret = g.hex(128), g.fk.aws_access_key_id(), g.fk.aws_secret_access_key()
    b = _B("framework_yaml", "rails_credentials")
    b.t("$ bin/rails credentials:show\nsecret_key_base: ").s(
        base, "GENERIC_SECRET", "rails_secret_key_base"
    )
    b.t("\naws:\n  access_key_id: ").s(aws_id, "AWS_ACCESS_KEY_ID").t("\n  secret_access_key: ")
    b.s(aws_secret, "AWS_SECRET_ACCESS_KEY").t("\n\nActiveStorage can't upload, what's wrong?")
    return b.case()


@tpl("framework_yaml", 4)
def django_settings(g: _G) -> Case:
    sk = "django-insecure-" + g.chars(string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)", 50)
    pw = g.password()
    b = _B("framework_yaml", "django_settings_py")
    b.t("# settings.py\nSECRET_KEY = '").s(sk, "GENERIC_SECRET", "django_secret_key").t(
        "'\n\nDATABASES = {\n"
    )
    b.t(
        "    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n"
    )
    b.t("        'USER': 'shop',\n        'PASSWORD': '").s(
        pw, "GENERIC_SECRET", "password/python_dict"
    )
    return b.t("',\n        'HOST': 'localhost',\n    }\n}\n").case()


@tpl("dotfiles", 3)
def npmrc(g: _G) -> Case:
    tok = g.fk.npm()
    b = _B("dotfiles", "npmrc")
    b.t("~/.npmrc:\nregistry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=")
    b.s(tok, "NPM_TOKEN").t("\n@acme:registry=https://npm.pkg.github.com\n\nnpm publish says 403")
    return b.case()


@tpl("dotfiles", 3)
def pypirc(g: _G) -> Case:
    tok = g.fk.pypi()
    b = _B("dotfiles", "pypirc")
    b.t("[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = ")
    return (
        b.s(tok, "PYPI_TOKEN")
        .t("\n\ntwine upload fails with 403 Invalid or non-existent authentication")
        .case()
    )


@tpl("dotfiles", 3)
def netrc(g: _G) -> Case:
    heroku, pw = g.uuid(), g.password()
    b = _B("dotfiles", "netrc")
    b.t("cat ~/.netrc\nmachine api.heroku.com\n  login dev@acme.io\n  password ")
    b.s(heroku, "GENERIC_SECRET", "netrc_password/uuid_token")
    b.t(f"\nmachine {g.host()}\n  login {g.user()}\n  password ").s(
        pw, "GENERIC_SECRET", "netrc_password"
    )
    return b.t("\n").case()


@tpl("dotfiles", 3)
def git_credentials(g: _G) -> Case:
    gh, gl = g.fk.github(), g.fk.gitlab()
    b = _B("dotfiles", "git_credentials")
    b.t("$ cat ~/.git-credentials\nhttps://mchen:").s(gh, "GITHUB_TOKEN").t("@github.com\n")
    b.t("https://oauth2:").s(gl, "GITLAB_TOKEN").t("@gitlab.acme.io\n")
    return b.t("\ngit still asks for a password on push").case()


@tpl("dotfiles", 3)
def docker_config(g: _G) -> Case:
    auth = base64.b64encode(f"{g.user()}:{g.password()}".encode()).decode()
    b = _B("dotfiles", "docker_config_json")
    b.t('~/.docker/config.json:\n{\n  "auths": {\n    "registry.acme.io": {\n      "auth": "')
    b.s(auth, "GENERIC_SECRET", "docker_auth_b64").t('"\n    }\n  },\n  "credsStore": ""\n}\n')
    return b.t("\ndocker pull says unauthorized").case()


@tpl("cli_status", 4)
def aws_configure(g: _G) -> Case:
    aws_id, aws_secret = g.fk.aws_access_key_id(), g.fk.aws_secret_access_key()
    b = _B("cli_status", "aws_configure_list")
    b.t("$ aws configure list\n      Name                    Value             Type    Location\n")
    b.t("      ----                    -----             ----    --------\n")
    b.t("   access_key     ").n("****************" + aws_id[-4:]).t(" shared-credentials-file\n")
    b.t("   secret_key     ").n("****************" + aws_secret[-4:]).t(
        " shared-credentials-file\n"
    )
    b.t("$ cat ~/.aws/credentials\n[default]\naws_access_key_id = ").s(aws_id, "AWS_ACCESS_KEY_ID")
    b.t("\naws_secret_access_key = ").s(aws_secret, "AWS_SECRET_ACCESS_KEY").t("\n")
    return b.case()


@tpl("cli_status", 4)
def gh_auth_status(g: _G) -> Case:
    tok = g.fk.github()
    b = _B("cli_status", "gh_auth_status_show_token")
    b.t(
        "$ gh auth status --show-token\ngithub.com\n  ✓ Logged in to github.com account mchen (keyring)\n"
    )
    b.t("  - Active account: true\n  - Git operations protocol: https\n  - Token: ")
    b.s(tok, "GITHUB_TOKEN").t(
        "\n  - Token scopes: 'gist', 'read:org', 'repo'\n\nbut gh pr create says 403"
    )
    return b.case()


@tpl("email_forward", 6)
def email_forward(g: _G) -> Case:
    e, v = g.vendor()
    while e in ("PRIVATE_KEY",):
        e, v = g.vendor()
    pw = g.password()
    b = _B("email_forward", "fwd_credentials")
    b.t("---------- Forwarded message ---------\nFrom: Partner Support <support@partner.example>\n")
    b.t("Date: Tue, 4 Mar 2025 at 09:12\nSubject: Your sandbox credentials\n\nHello,\n\n")
    b.t("your API key: ").s(v, e).t(f"\nportal login: {g.user()}\ntemporary password: ")
    b.s(pw, "GENERIC_SECRET", "password/prose").t("\n\nPlease change it after the first login.\n\n")
    return b.t("can you write me a python client for their API?").case()


@tpl("chat", 6)
def chat_transcript(g: _G) -> Case:
    e, v = g.vendor()
    while e in ("PRIVATE_KEY",):
        e, v = g.vendor()
    pw = g.password()
    b = _B("chat", "slack_copy")
    b.t("alex  10:42 AM\nhere's the key: ").s(v, e).t(
        "\nsam  10:43 AM\nthx! and the staging db pw?\n"
    )
    b.t("alex  10:43 AM\n").s(pw, "GENERIC_SECRET", "password/bare_chat_reply")
    return b.t("\n\nsummarise this thread for the standup").case()


@tpl("chat", 4)
def chat_inline(g: _G) -> Case:
    tok = g.token(32)
    b = _B("chat", "teams_inline")
    b.t("[09:15] Priya: the vendor token is ").s(tok, "GENERIC_SECRET", "token/prose")
    b.t(" , expires Friday\n[09:16] Tom: 👍 using it in the cron\n\nrewrite this as a ticket")
    return b.case()


@tpl("url_query", 8)
def url_query(g: _G) -> Case:
    b = _B("url_query", "query_params")
    r = g.rng.randrange(4)
    if r == 0:
        b.t("GET https://api.weather.example/v2/forecast?lat=52.5&lon=13.4&api_key=")
        b.s(g.token(32), "GENERIC_SECRET", "query_api_key").t("&units=metric returns 429")
    elif r == 1:
        b.t("https://graph.example.com/v19.0/me?fields=id,name&access_token=")
        b.s(g.urlsafe(g.rng.choice([120, 180])), "GENERIC_SECRET", "query_access_token")
        b.t(" gives error code 190")
    elif r == 2:
        sig = base64.b64encode(g.rng.randbytes(32)).decode()
        b.t(
            "this SAS link stopped working: https://acmedata.blob.core.windows.net/exports/q3.csv?sv=2022-11-02"
        )
        b.t("&ss=b&srt=o&sp=r&se=2025-06-01T00:00:00Z&spr=https&sig=")
        b.s(quote(sig, safe=""), "AZURE_KEY", "azure_sas_sig").t(".")
    else:
        b.t("embed URL: https://maps.googleapis.com/maps/api/staticmap?center=Berlin&zoom=12&key=")
        b.s("AIza" + g.urlsafe(35), "GOOGLE_API_KEY")
        b.t("&size=600x300")
    b.t(f"\n(request id {g.uuid()})")
    return b.case()


@tpl("url_basic_auth", 7)
def url_basic_auth(g: _G) -> Case:
    b = _B("url_basic_auth", "userinfo")
    r = g.rng.randrange(4)
    if r == 0:
        b.t("curl -X POST https://deploy:").s(g.password(), "URL_CREDENTIALS", "password/url")
        b.t("@jenkins.acme.io/job/api/build  -> 403 No valid crumb")
    elif r == 1:
        b.t("git clone https://").s(g.fk.github(), "GITHUB_TOKEN").t(
            "@github.com/acme/infra.git fails"
        )
    elif r == 2:
        b.t("ftp://").t(g.user()).t(":").s(g.password(), "URL_CREDENTIALS", "password/url")
        b.t("@files.partner.example/outbox/ — how do I mirror this with lftp?")
    else:
        b.t("pip install --index-url https://__token__:").s(
            g.token(40), "URL_CREDENTIALS", "token/url"
        )
        b.t("@pkgs.acme.io/simple/ acme-sdk")
    return b.case()


@tpl("punctuation", 10)
def punctuation(g: _G) -> Case:
    e, v = g.vendor()
    while e in ("PRIVATE_KEY",):
        e, v = g.vendor()
    b = _B("punctuation", "wrapped")
    style = g.rng.randrange(7)
    if style == 0:
        b.t("I set the key (").s(v, e).t(") but it still fails.")
    elif style == 1:
        b.t("Use `").s(v, e).t("` for now, I'll rotate it later.")
    elif style == 2:
        b.t("**API key:** **").s(v, e).t("**\n**Owner:** data team")
    elif style == 3:
        b.t("The key that worked yesterday was ").s(v, e).t(".\nToday it's rejected.")
    elif style == 4:
        b.t('config = {"key":"').s(v, e).t('",}  # trailing comma on purpose?')
    elif style == 5:
        b.t("token=<").s(v, e).t("> — is the angle bracket the problem?")
    else:
        b.t("Is this one still valid?! ").s(v, e).t("?!")
    return b.case()


@tpl("non_english", 12)
def non_english(g: _G) -> Case:
    pw = g.password()
    e, v = g.vendor()
    while e in ("PRIVATE_KEY", "SLACK_WEBHOOK_URL"):
        e, v = g.vendor()
    b = _B("non_english", "prose")
    lang = g.rng.randrange(4)
    if lang == 0:
        b.t("Hallo, das Passwort für den SFTP-Server lautet ").s(
            pw, "GENERIC_SECRET", "password/de"
        )
        b.t(". Hier ist außerdem der API-Schlüssel: ").s(v, e).t("\nKannst du das Skript anpassen?")
    elif lang == 1:
        b.t("Bonjour, le mot de passe de la base est ").s(pw, "GENERIC_SECRET", "password/fr")
        b.t(" et la clé API : ").s(v, e).t(". Merci de corriger le script.")
    elif lang == 2:
        b.t("Hola, la contraseña del servidor es ").s(pw, "GENERIC_SECRET", "password/es")
        b.t(" y la clave de API es ").s(v, e).t(". ¿Por qué falla la conexión?")
    else:
        b.t("サーバーのパスワードは ").s(pw, "GENERIC_SECRET", "password/ja")
        b.t(" です。APIキー：").s(v, e).t("\nこのスクリプトを直してください。")
    return b.case()


@tpl("unicode_password", 8)
def unicode_password(g: _G) -> Case:
    pw = g.unicode_password()
    b = _B("unicode_password", "labelled")
    style = g.rng.randrange(3)
    if style == 0:
        b.t("DB_PASSWORD=").s(pw, "GENERIC_SECRET", "password/unicode_env").t(
            "\nDB_USER=app\n\npsql says auth failed, encoding issue?"
        )
    elif style == 1:
        b.t("my wifi password is ").s(pw, "GENERIC_SECRET", "password/unicode_prose").t(
            " and the router won't take it"
        )
    else:
        b.t('{"user": "mchen", "password": "').s(pw, "GENERIC_SECRET", "password/unicode_json").t(
            '"} -> 400 invalid utf-8'
        )
    return b.case()


@tpl("short_password", 8)
def short_password(g: _G) -> Case:
    pw = g.short_password()
    b = _B("short_password", "labelled")
    style = g.rng.randrange(4)
    if style == 0:
        b.t("password: ").s(pw, "GENERIC_SECRET", "password/short_label")
    elif style == 1:
        b.t("router admin / pw: ").s(pw, "GENERIC_SECRET", "password/short_label")
    elif style == 2:
        b.t("DB_PASS=").s(pw, "GENERIC_SECRET", "password/short_env")
    else:
        b.t("the vault password is ").s(pw, "GENERIC_SECRET", "password/short_prose").t(
            " (temporary)"
        )
    return b.t("\nis that too short for PCI?").case()


@tpl("vendor_keys", 17)
def vendor_keys(g: _G) -> Case:
    b = _B("vendor_keys", "family_in_context")
    g.vendor_idx += 1
    entity = sorted(FAMILIES)[g.vendor_idx % len(FAMILIES)]
    v = FAMILIES[entity](g.fk)
    style = g.rng.randrange(3)
    if style == 0:
        b.t("curl https://api.example.com/v1/ping -H 'Authorization: Bearer ").s(v, entity).t("'")
    elif style == 1:
        b.t('# notebook\nclient = Client(\n    credential="').s(v, entity).t(
            '",\n    timeout=30,\n)'
        )
    else:
        b.t("found this in our old wiki, is it still needed?\n\n").s(v, entity).t("\n\n-- ops")
    return b.case()


@tpl("vendor_keys", 4)
def azure_conn(g: _G) -> Case:
    cs = g.fk.azure_storage_connection_string()
    start = cs.index("AccountKey=") + len("AccountKey=")
    end = cs.index(";", start)
    b = _B("vendor_keys", "azure_conn_string_appsettings")
    b.t('appsettings.Development.json:\n{\n  "ConnectionStrings": {\n    "Blob": "')
    b.t(cs[:start]).s(cs[start:end], "AZURE_CONNECTION_STRING").t(cs[end:])
    return b.t('"\n  }\n}').case()


# ---------------------------------------------------------------- hard negatives


@tpl("neg_placeholders", 14)
def neg_placeholders(g: _G) -> Case:
    b = _B("neg_placeholders", "redacted_and_templates")
    pool = [
        ("OPENAI_API_KEY=", "sk-***"),
        ("Authorization: Bearer ", "<redacted>"),
        ("password: ", "REPLACE_ME"),
        ('api_key = "', "YOUR_API_KEY_HERE"),
        ('"token": "', "[REDACTED]"),
        ("DB_PASSWORD=", "********"),
        ("STRIPE_SECRET_KEY=", "sk_live_..."),
        ("client_secret: ", "<your-client-secret>"),
        ("GITHUB_TOKEN=", "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        ("aws_secret_access_key = ", "<SECRET_ACCESS_KEY>"),
        ("password=", "${DB_PASSWORD}"),
        ("token: ", "__TOKEN__"),
        ("HF_TOKEN=", "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ("SECRET_KEY=", "changeme-in-production"),
    ]
    for label, value in g.rng.sample(pool, 2):
        b.t(label).n(value).t("\n")
    return b.t("\nthis is our .env.example, is the format right?").case()


@tpl("neg_ids_hashes", 14)
def neg_ids_hashes(g: _G) -> Case:
    b = _B("neg_ids_hashes", "ids")
    style = g.rng.randrange(4)
    if style == 0:
        b.t("commit ").n(g.sha()).t("\nAuthor: CI <ci@acme.io>\n\n    bump deps\n\ncommit ").n(
            g.sha()
        )
        b.t("\nwhich one broke the build?")
    elif style == 1:
        b.n(g.sha256()).t("  dist/app-1.4.2.tar.gz\n").n(g.hex(32)).t(
            "  dist/app-1.4.2.zip (md5)\n"
        )
    elif style == 2:
        b.t('{"request_id": "').n(g.uuid()).t('", "trace_id": "').n(g.hex(32))
        b.t('", "status": 500}')
    else:
        b.t("requests==2.32.3 \\\n    --hash=sha256:").n(g.sha256()).t(" \\\n    --hash=sha256:")
        b.n(g.sha256()).t("\npip says hashes don't match")
    return b.case()


@tpl("neg_base64_json", 12)
def neg_base64_json(g: _G) -> Case:
    b = _B("neg_base64_json", "encoded_plain_json")
    payload = {
        "page": g.rng.randint(2, 90),
        "sort": g.pick(["asc", "desc"]),
        "filter": g.pick(["active", "archived", "all"]),
        "after": g.uuid(),
    }
    enc = base64.b64encode(json.dumps(payload).encode()).decode()
    cfg = base64.b64encode(
        json.dumps({"theme": "dark", "beta": g.rng.random() < 0.5}).encode()
    ).decode()
    b.t('{"data": [...], "next_cursor": "').n(enc).t('"}\n\nconfigmap:\n  settings.json: ').n(cfg)
    return b.t("\nhow do I page through this?").case()


@tpl("neg_public_keys", 12)
def neg_public_keys(g: _G) -> Case:
    b = _B("neg_public_keys", "public_material")
    style = g.rng.randrange(4)
    if style == 0:
        blob = base64.b64encode(
            b"\x00\x00\x00\x07ssh-rsa\x00\x00\x00\x03\x01\x00\x01" + g.rng.randbytes(257)
        ).decode()
        ed = base64.b64encode(
            b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + g.rng.randbytes(32)
        ).decode()
        b.t("~/.ssh/authorized_keys:\nssh-rsa ").n(blob).t(" mchen@laptop\nssh-ed25519 ").n(ed).t(
            " ci@runner\n"
        )
    elif style == 1:
        body = base64.b64encode(g.rng.randbytes(294)).decode()
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        b.n(f"-----BEGIN PUBLIC KEY-----\n{lines}\n-----END PUBLIC KEY-----").t(
            "\nverify a JWT with this in node?"
        )
    elif style == 2:
        body = base64.b64encode(g.rng.randbytes(600)).decode()
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        b.t("ca.crt:\n").n(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----")
        b.t("\nstripe publishable key: ").n("pk_live_" + g.token(99))
    else:
        b.t("[Peer]\nPublicKey = ").n(base64.b64encode(g.rng.randbytes(32)).decode())
        b.t("\nAllowedIPs = 10.8.0.0/24\nEndpoint = vpn.acme.io:51820\n")
        b.t("age recipient: ").n("age1" + g.chars("023456789acdefghjklmnpqrstuvwxyz", 58))
    return b.case()


@tpl("neg_vendor_examples", 10)
def neg_vendor_examples(g: _G) -> Case:
    b = _B("neg_vendor_examples", "documentation_keys")
    pool = [
        ("aws_access_key_id = ", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("SLACK_BOT_TOKEN=", "xoxb-not-a-real-token-this-will-not-work"),
        ("# from jwt.io\n", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
        ("GitHub docs example: ", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
        ("TWILIO_ACCOUNT_SID=", "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        ("export AWS_SESSION_TOKEN=", "AQoDYXdzEJr...<remainder of security token>"),
    ]  # fmt: skip
    for label, value in g.rng.sample(pool, 2):
        b.t(label).n(value).t("\n")
    return b.t("\n(copied from the vendor's quickstart) what does each line do?").case()


@tpl("neg_masked", 12)
def neg_masked(g: _G) -> Case:
    b = _B("neg_masked", "masked_keys")
    tail = g.token(4)
    pool = [
        "sk-..." + tail,
        "sk-proj-" + "*" * 24 + tail,
        "ghp_" + "•" * 12 + tail,
        "AKIA" + "*" * 12 + tail.upper(),
        "*" * 16 + tail,
        "xoxb-****-****-" + tail,
        "sk_live_…" + tail,
    ]
    for value in g.rng.sample(pool, 2):
        b.t(g.pick(["the dashboard shows ", "key in use: ", "Token: ", "api_key: "])).n(value).t(
            "\n"
        )
    return b.t("which key is the prod one?").case()


@tpl("neg_var_refs", 12)
def neg_var_refs(g: _G) -> Case:
    b = _B("neg_var_refs", "references")
    pool = [
        ('api_key = os.environ["OPENAI_API_KEY"]', None),
        ("token: ${{ secrets.NPM_TOKEN }}", None),
        ("const stripe = new Stripe(process.env.STRIPE_SECRET_KEY)", None),
        ("PGPASSWORD=$(cat /run/secrets/db_password)", None),
        ("password: {{ .Values.postgres.password }}", None),
        ('"DB_PASSWORD": "%(db_password)s"', None),
        ('API_KEY = ENV.fetch("API_KEY")', None),
        ("MasterUserPassword: !Ref DbPassword", None),
        ("token = vault:secret/data/ci#github_token", None),
        ("password = settings.DATABASE_PASSWORD", None),
    ]
    for text, _ in g.rng.sample(pool, 2):
        b.n(text).t("\n")
    return b.t("\nare these read at build time or run time?").case()


@tpl("neg_slugs", 14)
def neg_slugs(g: _G) -> Case:
    b = _B("neg_slugs", "random_looking")
    low = string.ascii_lowercase + string.digits
    style = g.rng.randrange(5)
    if style == 0:
        b.t("vite build\n").n(f"dist/assets/index-{g.chars(_ALNUM, 8)}.js").t(
            "    142.33 kB │ gzip: 45.12 kB\n"
        )
        b.n(f"dist/assets/vendor-{g.chars(_ALNUM + '-_', 8)}.css").t("  12.01 kB │ gzip: 3.40 kB\n")
    elif style == 1:
        b.t('<div class="').n(f"Button_primary__{g.chars(_ALNUM, 5)}").t(" ").n(
            f"css-{g.chars(low, 7)}"
        )
        b.t('">Buy</div>\nwhy does the style not apply?')
    elif style == 2:
        b.t("docker pull registry.acme.io/api@").n("sha256:" + g.sha256()).t("\nDigest: ")
        b.n("sha256:" + g.sha256())
    elif style == 3:
        b.t("https://blog.acme.io/posts/").n(f"fixing-flaky-tests-in-ci-{g.hex(12)}")
        b.t(" and https://youtu.be/").n(g.chars(_ALNUM + "-_", 11))
    else:
        b.t("kubectl logs ").n(f"worker-{g.hex(10)}-{g.chars(low, 5)}").t(" ; order id ")
        b.n(f"ord_{g.chars(_ALNUM, 24)}")
    return b.case()


@tpl("neg_jwt_like", 10)
def neg_jwt_like(g: _G) -> Case:
    b = _B("neg_jwt_like", "three_dotted_parts")

    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    style = g.rng.randrange(3)
    if style == 0:
        cursor = f"{part({'page': g.rng.randint(2, 50)})}.{part({'sort': 'created'})}.{g.hex(16)}"
        b.t("next page token: ").n(cursor)
        b.t("\ntraceparent: ").n(f"00-{g.hex(32)}-{g.hex(16)}-01")
    elif style == 1:
        b.t("artifact: ").n(
            f"com.acme.{g.pick(['billing', 'search'])}.{g.pick(['core', 'api'])}.v{g.rng.randint(1, 9)}"
        )
        b.t(" version ").n(
            f"{g.rng.randint(1, 9)}.{g.rng.randint(0, 40)}.{g.rng.randint(0, 9)}+build.{g.hex(7)}"
        )
    else:
        b.t("cache key: ").n(f"{g.urlsafe(22)}.{g.urlsafe(22)}.{g.urlsafe(22)}")
        b.t("\nmodule hash: ").n(hashlib.sha1(g.rng.randbytes(8)).hexdigest())
    return b.case()


def build_heldout2(seed: int) -> list[Case]:
    """About 300 prompts: ~350 planted secrets, ~250 hard negatives; fresh values per seed."""
    g = _G(seed)
    cases = [fn(g) for _family, fn, count in _TEMPLATES for _ in range(count)]
    for case in cases:
        text = case.sample.text
        for label in case.sample.labels:
            assert text[label.start : label.end], case.sample.kind
    return cases


def corpus_summary(cases: list[Case]) -> dict[str, int]:
    positives = sum(1 for c in cases if c.sample.labels)
    return {
        "prompts": len(cases),
        "with secrets": positives,
        "secrets planted": sum(len(c.sample.labels) for c in cases),
        "hard negatives": sum(c.negatives for c in cases),
        "negative-only prompts": len(cases) - positives,
    }


def kinds_count(cases: list[Case]) -> Counter[str]:
    return Counter(k for c in cases for k in c.kinds)
