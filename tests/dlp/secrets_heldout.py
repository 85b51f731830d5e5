# ruff: noqa: E501
"""HELD-OUT secrets corpus: credentials the way people paste them into AI assistants, and hard
negatives that look like credentials but are not.

Written without reading the recognizers (warden/dlp/recognizers/*, warden/dlp/normalize.py):
only the README, docs/dlp.md's table of what is found and tests/dlp/fake_keys.py were read.
It is never tuned on: its misses are reported (benchmarks/secrets_eval.py), not fixed one by
one against it. Same team as the recognizers, so it is held out but not independent.

Every call draws fresh values from the seed. Positive samples label every planted secret with
its exact span (the value only: the password in a URL, the key in a connection string, each
piece of a key split by concatenation); negative samples have no labels, and every finding of
a secret type in them is a false positive. Templates are named `family/template`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.dlp.corpus import Label, Sample
from tests.dlp.fake_keys import FakeKeys

__all__ = ["POSITIVE_FAMILIES", "Case", "build_heldout", "shape"]

_LOWER = string.ascii_lowercase
_UPPER = string.ascii_uppercase
_DIGITS = string.digits
_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_B64 = _ALNUM + "+/"
_URLSAFE = _ALNUM + "-_"

_WORDS = ("maple", "rocket", "harbor", "violet", "tundra", "copper", "falcon", "meadow",
          "quartz", "lantern", "pepper", "summit", "orbit", "willow", "ember", "glacier",
          "canyon", "biscuit", "nebula", "saffron", "thunder", "pixel", "walrus", "cobalt",
          "juniper", "marble", "otter", "plum", "raven", "sierra")  # fmt: skip
_USERS = ("app", "admin", "svc_reporting", "root", "etl_user", "postgres", "jenkins", "deploy",
          "billing_rw", "sa", "airflow", "grafana")  # fmt: skip
_DBHOSTS = ("db.internal", "pg-prod-02.acme-corp.io", "10.0.3.17", "mysql.payments.svc.cluster.local",
            "orders.c9akciq32xyz.eu-west-1.rds.amazonaws.com", "sql-ha-01", "localhost",
            "analytics-db.northwind.local")  # fmt: skip
_DBNAMES = ("prod", "orders", "billing", "analytics", "app_production", "inventory", "crm")

_SLOT = re.compile(r"⟦(\w+)⟧")


@dataclass(frozen=True, slots=True)
class Secret:
    value: str
    entity: str
    kind: str  # finer than the entity: "password", "telegram bot token", ...


@dataclass(slots=True)
class Case:
    family: str
    template: str
    sample: Sample
    kinds: list[str] = field(default_factory=list)  # aligned with sample.labels


def _fill(template: str, slots: dict[str, str | Secret]) -> tuple[str, list[Label], list[str]]:
    parts: list[str] = []
    labels: list[Label] = []
    kinds: list[str] = []
    pos = 0
    for i, piece in enumerate(_SLOT.split(template)):
        if i % 2 == 0:
            parts.append(piece)
            pos += len(piece)
            continue
        value = slots[piece]
        if isinstance(value, Secret):
            labels.append(Label(value.entity, pos, pos + len(value.value)))
            kinds.append(value.kind)
            text = value.value
        else:
            text = value
        parts.append(text)
        pos += len(text)
    return "".join(parts), labels, kinds


def shape(value: str, limit: int = 60) -> str:
    """A value's shape without the value: runs of letters and digits become their classes and
    length (`a` lower, `A` upper, `9` digits), punctuation stays. `sk-ant-api03-...` reads
    `a2-a3-a9{5}-Aa9{93}`."""
    out: list[str] = []
    for run in re.findall(r"[A-Za-z0-9]+|[^A-Za-z0-9]", value):
        if run[0].isalnum():
            cls = ("A" if any(c.isupper() for c in run) else "") + (
                "a" if any(c.islower() for c in run) else ""
            )
            cls += "9" if any(c.isdigit() for c in run) else ""
            out.append(cls + (f"{{{len(run)}}}" if len(run) > 1 else ""))
        else:
            out.append({"\n": "⏎", " ": "␠"}.get(run, run))
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + f"…({len(value)} chars)"


class Gen:
    """Fresh values from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys = FakeKeys(self.rng.randrange(2**31))

    # --- raw material ---------------------------------------------------------------------

    def pick(self, options):  # type: ignore[no-untyped-def]
        return self.rng.choice(options)

    def s(self, alphabet: str, n: int) -> str:
        while True:
            value = "".join(self.rng.choice(alphabet) for _ in range(n))
            if alphabet == _HEX or n < 6:
                return value
            classes = sum(
                any(c in group for c in value)
                for group in (_LOWER, _UPPER, _DIGITS)
                if any(c in alphabet for c in group)
            )
            wanted = sum(any(c in alphabet for c in g) for g in (_LOWER, _UPPER, _DIGITS))
            if classes == wanted:
                return value

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice(_HEX) for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def b64(self, raw_len: int) -> str:
        return base64.b64encode(self.rng.randbytes(raw_len)).decode()

    def host(self) -> str:
        return self.pick(_DBHOSTS)

    def user(self) -> str:
        return self.pick(_USERS)

    def db(self) -> str:
        return self.pick(_DBNAMES)

    def word(self) -> str:
        return self.pick(_WORDS)

    # --- passwords of the shapes people choose --------------------------------------------

    def password(self, style: str | None = None, safe: str = "") -> str:
        """`safe`: the only symbols allowed (a URL or a connection string limits them)."""
        style = style or self.style()
        symbols = safe if safe else "!#$%&*+-_=.?^~"
        if style == "symbols":
            body = self.s(_ALNUM, self.rng.randint(9, 16))
            cut = self.rng.randrange(1, len(body))
            return body[:cut] + self.pick(symbols) + body[cut:] + self.pick(symbols)
        if style == "short":
            return self.s(_ALNUM, 7) + self.pick(symbols or "!")
        if style == "words":  # CorrectHorse-style, with digits
            sep = self.pick(("", "-", "_", ".")) if not safe else self.pick(("", *safe[:1]))
            words = [self.word().capitalize() for _ in range(self.rng.randint(2, 3))]
            return sep.join(words) + str(self.rng.randrange(10, 9999))
        if style == "words_digits":
            return f"{self.word()}{self.rng.randrange(100)}{self.word().capitalize()}{self.pick(symbols)}"
        if style == "dashed":
            return "-".join(self.s(_ALNUM, 4) for _ in range(self.rng.randint(3, 4)))
        return self.s(_ALNUM, self.rng.choice((12, 16, 20, 24)))

    def style(self) -> str:
        return self.pick(
            ("symbols", "symbols", "short", "words", "words_digits", "random", "dashed")
        )

    def passphrase(self) -> str:
        """Words with spaces: only written inside quotes."""
        words = [self.word() for _ in range(self.rng.randint(3, 4))]
        words[0] = words[0].capitalize()
        return " ".join(words) + f" {self.rng.randrange(10, 99)}{self.pick('!?.#')}"

    # --- vendor keys ---------------------------------------------------------------------

    def vendor(self) -> tuple[str, Secret]:
        """(an environment variable name for it, the key)."""
        k = self.keys
        choice = self.rng.randrange(30)
        table: list[tuple[str, str, str, str]] = [
            ("OPENAI_API_KEY", k.openai(), "OPENAI_API_KEY", "openai"),
            ("ANTHROPIC_API_KEY", k.anthropic(), "ANTHROPIC_API_KEY", "anthropic"),
            ("GITHUB_TOKEN", k.github(), "GITHUB_TOKEN", "github"),
            ("GITLAB_TOKEN", k.gitlab(), "GITLAB_TOKEN", "gitlab"),
            ("SLACK_BOT_TOKEN", k.slack_token(), "SLACK_TOKEN", "slack token"),
            ("SLACK_WEBHOOK_URL", k.slack_webhook(), "SLACK_WEBHOOK_URL", "slack webhook"),
            ("STRIPE_SECRET_KEY", k.stripe(), "STRIPE_KEY", "stripe"),
            ("TWILIO_API_KEY", k.twilio(), "TWILIO_KEY", "twilio api key"),
            ("TWILIO_AUTH_TOKEN", self.hex(32), "TWILIO_KEY", "twilio auth token"),
            ("SENDGRID_API_KEY", k.sendgrid(), "SENDGRID_API_KEY", "sendgrid"),
            ("HF_TOKEN", k.huggingface(), "HUGGINGFACE_TOKEN", "huggingface"),
            ("NPM_TOKEN", k.npm(), "NPM_TOKEN", "npm"),
            ("PYPI_API_TOKEN", k.pypi(), "PYPI_TOKEN", "pypi"),
            ("GOOGLE_API_KEY", k.google(), "GOOGLE_API_KEY", "google"),
            ("AZURE_CLIENT_SECRET", k.azure_client_secret(), "AZURE_KEY", "azure client secret"),
            ("AZURE_OPENAI_API_KEY", self.hex(32), "AZURE_KEY", "azure openai key"),
            ("DD_API_KEY", self.hex(32), "GENERIC_SECRET", "datadog api key"),
            ("MAILGUN_API_KEY", f"key-{self.hex(32)}", "GENERIC_SECRET", "mailgun key"),
            ("SHOPIFY_ACCESS_TOKEN", f"shpat_{self.hex(32)}", "GENERIC_SECRET", "shopify token"),
            (
                "TELEGRAM_BOT_TOKEN",
                f"{self.rng.randrange(10**8, 10**10)}:AA{self.s(_URLSAFE, 33)}",
                "GENERIC_SECRET",
                "telegram bot token",
            ),
            (
                "DIGITALOCEAN_TOKEN",
                f"dop_v1_{self.hex(64)}",
                "GENERIC_SECRET",
                "digitalocean token",
            ),
            ("LINEAR_API_KEY", f"lin_api_{self.s(_ALNUM, 40)}", "GENERIC_SECRET", "linear key"),
            ("NOTION_TOKEN", f"secret_{self.s(_ALNUM, 43)}", "GENERIC_SECRET", "notion token"),
            (
                "REPLICATE_API_TOKEN",
                f"r8_{self.s(_ALNUM, 37)}",
                "GENERIC_SECRET",
                "replicate token",
            ),
            ("GROQ_API_KEY", f"gsk_{self.s(_ALNUM, 52)}", "GENERIC_SECRET", "groq key"),
            ("MISTRAL_API_KEY", self.s(_ALNUM, 32), "GENERIC_SECRET", "mistral key"),
            ("COHERE_API_KEY", self.s(_ALNUM, 40), "GENERIC_SECRET", "cohere key"),
            ("SONAR_TOKEN", f"squ_{self.hex(40)}", "GENERIC_SECRET", "sonarqube token"),
            ("VAULT_TOKEN", f"hvs.{self.s(_URLSAFE, 24)}", "GENERIC_SECRET", "vault token"),
            (
                "DISCORD_BOT_TOKEN",
                f"{self.s(_URLSAFE, 24)}.{self.s(_URLSAFE, 6)}.{self.s(_URLSAFE, 38)}",
                "GENERIC_SECRET",
                "discord bot token",
            ),
        ]
        var, value, entity, kind = table[choice]
        return var, Secret(value, entity, kind)

    def pw(self, style: str | None = None, safe: str = "") -> Secret:
        style = style or self.style()  # drawn here to name the kind; the same draw as before
        return Secret(self.password(style, safe), "GENERIC_SECRET", f"password/{style}")

    def url_pw(self, safe: str = "!*-_.~") -> Secret:
        return Secret(self.password(None, safe), "URL_CREDENTIALS", "password in URL")

    def conn_pw(self) -> Secret:
        return Secret(
            self.password(None, "!#$%*-_.?"), "URL_CREDENTIALS", "password in connection string"
        )

    def aws_pair(self) -> tuple[Secret, Secret]:
        return (
            Secret(self.keys.aws_access_key_id(), "AWS_ACCESS_KEY_ID", "aws access key id"),
            Secret(self.keys.aws_secret_access_key(), "AWS_SECRET_ACCESS_KEY", "aws secret key"),
        )

    def pem(self, escaped: bool = False) -> Secret:
        key = self.keys.private_key()
        if escaped:
            key = key.replace("\n", "\\n")
        return Secret(key, "PRIVATE_KEY", "private key")

    def jwt(self) -> Secret:
        return Secret(self.keys.jwt(), "JWT", "jwt")


Template = Callable[[Gen], tuple[str, dict[str, str | Secret]]]
POSITIVE_FAMILIES: dict[str, list[tuple[str, Template]]] = {}
NEGATIVE_FAMILIES: dict[str, list[tuple[str, Template]]] = {}


def _pos(family: str) -> Callable[[Template], Template]:
    def register(fn: Template) -> Template:
        POSITIVE_FAMILIES.setdefault(family, []).append((fn.__name__, fn))
        return fn

    return register


def _neg(family: str) -> Callable[[Template], Template]:
    def register(fn: Template) -> Template:
        NEGATIVE_FAMILIES.setdefault(family, []).append((fn.__name__, fn))
        return fn

    return register


# ======================================================================================
# POSITIVES
# ======================================================================================

# --- chat: debugging requests, pastes, prose ---------------------------------------------


@_pos("chat")
def traceback_openai(g: Gen):
    _, key = g.vendor()
    return (
        "Getting this error when I run the summarizer, any idea why?\n\n```\n"
        "Traceback (most recent call last):\n"
        '  File "/app/summarize.py", line 42, in <module>\n'
        "    resp = client.chat.completions.create(model=MODEL, messages=msgs)\n"
        '  File "/usr/lib/python3.11/site-packages/openai/_base_client.py", line 1037, in _request\n'
        "    raise self._make_status_error_from_response(err.response) from None\n"
        "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key "
        "provided: sk-proj-********************************ab12.', 'code': 'invalid_api_key'}}\n"
        "```\n\nhere's how I create the client:\n\n```python\n"
        'client = OpenAI(api_key="⟦k⟧")\n```',
        {"k": key},
    )


@_pos("chat")
def slack_paste(g: Gen):
    var, key = g.vendor()
    return (
        f"[10:4{g.rng.randrange(10)} AM] dana: here's the staging {var.lower()} for the bot ⟦k⟧ pls don't paste it anywhere lol\n"
        "[10:43 AM] raj: thx, will put it in 1password\n"
        "can you turn this thread into a short how-to for the onboarding doc?",
        {"k": key},
    )


@_pos("chat")
def prose_key_check(g: Gen):
    var, key = g.vendor()
    return (
        f"Write me a small python script that checks whether this {var.replace('_', ' ').lower()} "
        "is still valid and prints the account it belongs to: ⟦k⟧",
        {"k": key},
    )


@_pos("chat")
def email_password(g: Gen):
    return (
        "Please rewrite this message so it sounds friendlier:\n\n"
        '"Hi team, the new SFTP password for the vendor drop is ⟦pw⟧ (user: acme_upload). '
        'Update the nightly job before Friday or the import will fail."',
        {"pw": g.pw()},
    )


@_pos("chat")
def java_stacktrace_jdbc(g: Gen):
    return (
        "Spring Boot won't start in prod, what's wrong?\n\n"
        "2024-05-02 09:14:11.902 ERROR 1 --- [main] o.s.b.SpringApplication : Application run failed\n"
        'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "⟦u⟧"\n'
        "\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)\n"
        "\tat com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:562)\n\n"
        "application-prod.yml:\n  datasource:\n    url: jdbc:postgresql://⟦h⟧:5432/⟦db⟧\n"
        "    username: ⟦u⟧\n    password: ⟦pw⟧\n",
        {"u": g.user(), "h": g.host(), "db": g.db(), "pw": g.pw()},
    )


@_pos("chat")
def node_mongo_error(g: Gen):
    return (
        "MongoServerError: bad auth : Authentication failed.\n"
        "    at Connection.onMessage (node_modules/mongodb/lib/cmap/connection.js:202:26)\n\n"
        "my connection code:\n```js\n"
        'const uri = "mongodb+srv://⟦u⟧:⟦pw⟧@cluster0.x8kq2.mongodb.net/?retryWrites=true&w=majority";\n'
        "await mongoose.connect(uri);\n```\nthe user definitely exists in Atlas",
        {"u": g.user(), "pw": g.url_pw()},
    )


@_pos("chat")
def ticket_handover(g: Gen):
    var, key = g.vendor()
    return (
        "Summarise this handover note in 3 bullets:\n\n"
        f"- prod deploy is on Thursday, rollback plan in the runbook\n- the {var} was rotated, new value ⟦k⟧\n"
        "- admin console login: ops-admin / ⟦pw⟧\n- monitoring is still noisy, see JIRA OPS-1182",
        {"k": key, "pw": g.pw()},
    )


# --- env: .env files, shell exports, history ------------------------------------------


@_pos("env")
def dotenv_full(g: Gen):
    var, key = g.vendor()
    return (
        "Here's my .env, the app still says unauthorized. What am I missing?\n\n"
        f"NODE_ENV=production\nPORT=3000\nDATABASE_URL=postgres://⟦u⟧:⟦dbpw⟧@⟦h⟧:5432/⟦db⟧\n{var}=⟦k⟧\n"
        "SESSION_SECRET=⟦sess⟧\nLOG_LEVEL=info\n",
        {
            "u": g.user(),
            "h": g.host(),
            "db": g.db(),
            "dbpw": g.url_pw(),
            "k": key,
            "sess": Secret(g.s(_ALNUM + "!@#%^&*", 48), "GENERIC_SECRET", "session secret"),
        },
    )


@_pos("env")
def dotenv_aws(g: Gen):
    kid, sec = g.aws_pair()
    return (
        "AWS_ACCESS_KEY_ID=⟦id⟧\nAWS_SECRET_ACCESS_KEY=⟦sec⟧\nAWS_DEFAULT_REGION=eu-central-1\n"
        "S3_BUCKET=acme-reports-prod\n\nwhy does boto3 say SignatureDoesNotMatch with these?",
        {"id": kid, "sec": sec},
    )


@_pos("env")
def dotenv_passwords(g: Gen):
    return (
        "# .env.production\nDB_HOST=⟦h⟧\nDB_USER=⟦u⟧\nDB_PASSWORD=⟦pw⟧\nREDIS_PASSWORD=⟦rpw⟧\n"
        "SMTP_PASS=⟦spw⟧\nMAIL_FROM=noreply@acme-corp.io\n\nconvert this to a kubernetes secret manifest",
        {
            "h": g.host(),
            "u": g.user(),
            "pw": g.pw("dashed"),
            "rpw": g.pw("short"),
            "spw": g.pw("symbols"),
        },
    )


@_pos("env")
def shell_export(g: Gen):
    var, key = g.vendor()
    q = g.pick(("", '"', "'"))
    return (
        f"$ export {var}={q}⟦k⟧{q}\n$ python agent.py --task triage\n"
        "Error: 403 Forbidden\n\nwhy 403? the key works in the web console",
        {"k": key},
    )


@_pos("env")
def shell_history(g: Gen):
    _, key = g.vendor()
    return (
        "what did I do wrong here (output of history):\n"
        "  501  cd ~/src/infra\n  502  export TOKEN=⟦k⟧\n  503  ./deploy.sh staging\n"
        "  504  kubectl get pods -n staging\n",
        {"k": key},
    )


@_pos("env")
def dotenv_quoted_passphrase(g: Gen):
    return (
        'ADMIN_EMAIL=it@acme-corp.io\nADMIN_PASSWORD="⟦pw⟧"\nAPP_URL=https://intranet.acme-corp.io\n\n'
        "is it ok to keep spaces in the password like that in a .env file?",
        {"pw": Secret(g.passphrase(), "GENERIC_SECRET", "passphrase with spaces")},
    )


# --- containers: docker, compose, kubernetes, helm ---------------------------------------


@_pos("containers")
def docker_compose(g: Gen):
    var, key = g.vendor()
    return (
        "docker-compose.yml — the api container can't reach the db:\n\n```yaml\nservices:\n  db:\n"
        "    image: postgres:16\n    environment:\n      POSTGRES_USER: ⟦u⟧\n      POSTGRES_PASSWORD: ⟦pw⟧\n"
        "  api:\n    build: .\n    environment:\n"
        f"      - {var}=⟦k⟧\n      - DB_HOST=db\n    depends_on: [db]\n```",
        {"u": g.user(), "pw": g.pw(), "k": key},
    )


@_pos("containers")
def compose_mysql(g: Gen):
    return (
        "services:\n  mysql:\n    image: mysql:8.0\n    environment:\n"
        '      MYSQL_ROOT_PASSWORD: "⟦root⟧"\n      MYSQL_DATABASE: ⟦db⟧\n      MYSQL_USER: ⟦u⟧\n'
        '      MYSQL_PASSWORD: "⟦pw⟧"\n    ports:\n      - "3306:3306"\n\nadd a healthcheck to this',
        {"root": g.pw(), "db": g.db(), "u": g.user(), "pw": g.pw("words")},
    )


def _b64s(g: Gen, secret: Secret, kind: str) -> Secret:
    return Secret(base64.b64encode(secret.value.encode()).decode(), "GENERIC_SECRET", kind)


@_pos("containers")
def k8s_secret_data(g: Gen):
    _, key = g.vendor()
    return (
        "kubectl apply says the secret is invalid:\n\n```yaml\napiVersion: v1\nkind: Secret\n"
        "metadata:\n  name: app-credentials\n  namespace: payments\ntype: Opaque\ndata:\n"
        "  username: ⟦u⟧\n  password: ⟦pw⟧\n  api-key: ⟦k⟧\n```",
        {
            "u": base64.b64encode(g.user().encode()).decode(),
            "pw": _b64s(g, g.pw(), "base64 password in k8s Secret"),
            "k": _b64s(g, key, "base64 api key in k8s Secret"),
        },
    )


@_pos("containers")
def k8s_secret_stringdata(g: Gen):
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  DB_USER: ⟦u⟧\n"
        "  DB_PASSWORD: ⟦pw⟧\n  DATABASE_URL: mysql://⟦u⟧:⟦upw⟧@⟦h⟧:3306/⟦db⟧\n\nturn this into a sealed secret",
        {"u": g.user(), "pw": g.pw(), "upw": g.url_pw(), "h": g.host(), "db": g.db()},
    )


@_pos("containers")
def k8s_deployment_env(g: Gen):
    var, key = g.vendor()
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: worker\n          image: ghcr.io/acme/worker:1.8.2\n"
        f'          env:\n            - name: {var}\n              value: "⟦k⟧"\n'
        "            - name: QUEUE\n              value: default\n\nwhy does the pod crashloop?",
        {"k": key},
    )


@_pos("containers")
def helm_values(g: Gen):
    return (
        "values-prod.yaml:\n\npostgresql:\n  auth:\n    username: ⟦u⟧\n    password: ⟦pw⟧\n"
        "    database: ⟦db⟧\nredis:\n  auth:\n    enabled: true\n    password: ⟦rpw⟧\n\n"
        "what's the helm command to upgrade with this file?",
        {"u": g.user(), "pw": g.pw(), "db": g.db(), "rpw": g.pw("random")},
    )


@_pos("containers")
def dockerfile_npmrc(g: Gen):
    tok = Secret(g.keys.npm(), "NPM_TOKEN", "npm")
    return (
        "Dockerfile:\n```\nFROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\n"
        'RUN echo "//registry.npmjs.org/:_authToken=⟦t⟧" > .npmrc && npm ci && rm .npmrc\n'
        'COPY . .\nCMD ["node", "server.js"]\n```\nhow do I make the image smaller?',
        {"t": tok},
    )


@_pos("containers")
def docker_run_env(g: Gen):
    var, key = g.vendor()
    return (
        f"docker run -d --name bot -e {var}=⟦k⟧ -e LOG_LEVEL=debug -p 8080:8080 acme/bot:latest\n\n"
        "the container exits immediately, how do I see why?",
        {"k": key},
    )


# --- iac_ci: terraform, github actions, CI logs, ansible ---------------------------------


@_pos("iac_ci")
def terraform_provider(g: Gen):
    kid, sec = g.aws_pair()
    return (
        '```hcl\nprovider "aws" {\n  region     = "us-east-1"\n  access_key = "⟦id⟧"\n'
        '  secret_key = "⟦sec⟧"\n}\n```\nterraform plan hangs on refreshing state, why?',
        {"id": kid, "sec": sec},
    )


@_pos("iac_ci")
def terraform_db(g: Gen):
    return (
        'resource "aws_db_instance" "main" {\n  identifier        = "orders-prod"\n'
        '  engine            = "postgres"\n  instance_class    = "db.t3.medium"\n'
        '  username          = "⟦u⟧"\n  password          = "⟦pw⟧"\n  skip_final_snapshot = true\n}\n\n'
        "how do I move the password to secrets manager?",
        {"u": g.user(), "pw": g.pw()},
    )


@_pos("iac_ci")
def tfvars(g: Gen):
    return (
        'terraform.tfvars:\n\nenvironment     = "staging"\ndatadog_api_key = "⟦dd⟧"\n'
        'db_password     = "⟦pw⟧"\ninstance_count  = 3\n\nwhy is this file not picked up?',
        {"dd": Secret(g.hex(32), "GENERIC_SECRET", "datadog api key"), "pw": g.pw()},
    )


@_pos("iac_ci")
def gha_hardcoded(g: Gen):
    var, key = g.vendor()
    return (
        "name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n"
        f"    env:\n      {var}: ⟦k⟧\n      NODE_AUTH_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: make release\n\nthe publish step fails, help",
        {"k": key},
    )


@_pos("iac_ci")
def ci_log_docker_login(g: Gen):
    return (
        "CI log:\n```\n$ docker login -u ⟦u⟧ -p ⟦pw⟧ registry.gitlab.com\n"
        "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
        'Error response from daemon: Get "https://registry.gitlab.com/v2/": unauthorized\n'
        "ERROR: Job failed: exit code 1\n```",
        {"u": g.user(), "pw": g.pw()},
    )


@_pos("iac_ci")
def gitlab_ci_vars(g: Gen):
    return (
        ".gitlab-ci.yml\n\nvariables:\n  SONAR_HOST_URL: https://sonar.acme-corp.io\n"
        '  SONAR_TOKEN: "⟦t⟧"\n  GIT_DEPTH: "0"\nsonarqube-check:\n  image: sonarsource/sonar-scanner-cli\n'
        "  script: sonar-scanner\n\nthe job says not authorized",
        {"t": Secret(f"squ_{g.hex(40)}", "GENERIC_SECRET", "sonarqube token")},
    )


@_pos("iac_ci")
def jenkins_log(g: Gen):
    tok = Secret(g.keys.gitlab(), "GITLAB_TOKEN", "gitlab")
    return (
        "Jenkins console output:\n+ curl --fail -s -H 'PRIVATE-TOKEN: ⟦t⟧' https://gitlab.acme-corp.io/api/v4/projects/412/pipelines\n"
        "curl: (22) The requested URL returned error: 401\nBuild step 'Execute shell' marked build as failure",
        {"t": tok},
    )


@_pos("iac_ci")
def ansible_vars(g: Gen):
    return (
        "group_vars/db.yml:\n\npostgres_version: 15\nansible_user: ubuntu\nansible_become_password: ⟦b⟧\n"
        "db_replication_password: \"⟦r⟧\"\n\nwhy does the play say 'Incorrect sudo password'?",
        {"b": g.pw(), "r": g.pw("words")},
    )


# --- cli: curl, httpie, wget, database clients, git, cloud CLIs ----------------------------


@_pos("cli")
def curl_bearer(g: Gen):
    _, key = g.vendor()
    return (
        'curl -s https://api.acme-corp.io/v2/invoices?limit=50 \\\n  -H "Authorization: Bearer ⟦k⟧" \\\n'
        "  -H 'Accept: application/json' | jq '.data[].id'\n\nreturns an empty list, but the UI shows invoices",
        {"k": key},
    )


@_pos("cli")
def curl_basic_u(g: Gen):
    return (
        "curl -u ⟦u⟧:⟦pw⟧ https://jenkins.acme-corp.io/job/nightly/lastBuild/api/json\n\n"
        "how do I get only the result field?",
        {"u": g.user(), "pw": g.pw(safe="!#%*-_.")},
    )


@_pos("cli")
def curl_anthropic(g: Gen):
    return (
        'curl https://api.anthropic.com/v1/messages \\\n  -H "x-api-key: ⟦k⟧" \\\n'
        '  -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \\\n'
        '  -d \'{"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": "hi"}]}\'\n\n'
        "convert this to python requests",
        {"k": Secret(g.keys.anthropic(), "ANTHROPIC_API_KEY", "anthropic")},
    )


@_pos("cli")
def curl_basic_header(g: Gen):
    user, pw = g.user(), g.password()
    return (
        "curl -X POST https://registry.acme-corp.io/api/v1/repos \\\n"
        "  -H 'Authorization: Basic ⟦b⟧' -d @repo.json\n\ngives 415, what content type do I need?",
        {
            "b": Secret(
                base64.b64encode(f"{user}:{pw}".encode()).decode(),
                "GENERIC_SECRET",
                "basic auth header",
            )
        },
    )


@_pos("cli")
def httpie_token(g: Gen):
    return (
        'http POST https://api.acme-corp.io/v1/exports format=csv "Authorization:Token ⟦t⟧"\n\n'
        "how do I save the response to a file with httpie?",
        {"t": Secret(g.hex(40), "GENERIC_SECRET", "api token (hex40)")},
    )


@_pos("cli")
def wget_github(g: Gen):
    return (
        'wget --header="Authorization: token ⟦t⟧" https://raw.githubusercontent.com/acme/infra/main/scripts/bootstrap.sh\n'
        "gives 404 but the file exists",
        {"t": Secret(g.keys.github(), "GITHUB_TOKEN", "github")},
    )


@_pos("cli")
def mysql_p(g: Gen):
    return (
        "mysql -h ⟦h⟧ -u ⟦u⟧ -p⟦pw⟧ ⟦db⟧ < dump.sql\nERROR 1045 (28000): Access denied for user\n\nwhat's wrong?",
        {"h": g.host(), "u": g.user(), "pw": g.pw(safe="!#%*-_.+"), "db": g.db()},
    )


@_pos("cli")
def psql_uri(g: Gen):
    return (
        "psql \"postgresql://⟦u⟧:⟦pw⟧@⟦h⟧:5432/⟦db⟧?sslmode=require\" -c '\\dt'\n"
        "psql: error: connection to server failed: SSL SYSCALL error: EOF detected",
        {"u": g.user(), "pw": g.url_pw(), "h": g.host(), "db": g.db()},
    )


@_pos("cli")
def pgpassword_env(g: Gen):
    return (
        "PGPASSWORD='⟦pw⟧' pg_dump -h ⟦h⟧ -U ⟦u⟧ -Fc ⟦db⟧ > backup.dump\n\nhow do I restore this into a new db?",
        {"pw": g.pw(), "h": g.host(), "u": g.user(), "db": g.db()},
    )


@_pos("cli")
def mongosh_cli(g: Gen):
    if g.rng.random() < 0.5:
        return (
            'mongosh "mongodb://⟦u⟧:⟦pw⟧@⟦h⟧:27017/admin?authSource=admin"\n\nhow do I list collections sizes?',
            {"u": g.user(), "pw": g.url_pw(), "h": g.host()},
        )
    return (
        "mongosh --host ⟦h⟧ --username ⟦u⟧ --password '⟦pw⟧' --authenticationDatabase admin\n\nwhy MongoServerError: Authentication failed?",
        {"u": g.user(), "pw": g.pw(), "h": g.host()},
    )


@_pos("cli")
def redis_cli(g: Gen):
    return (
        "redis-cli -h ⟦h⟧ -p 6379 -a ⟦pw⟧ --no-auth-warning INFO memory\n\nexplain used_memory_peak",
        {"h": g.host(), "pw": g.pw(safe="!#%*-_.+")},
    )


@_pos("cli")
def sqlcmd(g: Gen):
    return (
        'sqlcmd -S tcp:acme-sql.database.windows.net,1433 -d ⟦db⟧ -U ⟦u⟧ -P "⟦pw⟧" -Q "SELECT TOP 10 * FROM dbo.Orders"\n'
        "Login failed for user. how do I fix?",
        {"db": g.db(), "u": g.user(), "pw": g.pw()},
    )


@_pos("cli")
def git_clone_token(g: Gen):
    if g.rng.random() < 0.5:
        return (
            "git clone https://⟦t⟧@github.com/acme-corp/payments-service.git\nfatal: repository not found\n\nit's a private repo, my token has repo scope",
            {"t": Secret(g.keys.github(), "GITHUB_TOKEN", "github")},
        )
    return (
        "git remote set-url origin https://oauth2:⟦t⟧@gitlab.com/acme-corp/platform/api.git\ngit push still asks for a password, why?",
        {"t": Secret(g.keys.gitlab(), "GITLAB_TOKEN", "gitlab")},
    )


@_pos("cli")
def pip_index_url(g: Gen):
    return (
        "pip install --index-url https://⟦u⟧:⟦pw⟧@nexus.acme-corp.io/repository/pypi-internal/simple acme-utils==2.3.1\n"
        "ERROR: Could not find a version that satisfies the requirement",
        {"u": g.user(), "pw": g.url_pw()},
    )


@_pos("cli")
def az_login_sp(g: Gen):
    return (
        "az login --service-principal -u ⟦app⟧ -p ⟦s⟧ --tenant ⟦tenant⟧\n"
        "AADSTS7000215: Invalid client secret provided.",
        {
            "app": g.uuid(),
            "tenant": g.uuid(),
            "s": Secret(g.keys.azure_client_secret(), "AZURE_KEY", "azure client secret"),
        },
    )


@_pos("cli")
def aws_configure_set(g: Gen):
    kid, sec = g.aws_pair()
    return (
        "aws configure set aws_access_key_id ⟦id⟧\naws configure set aws_secret_access_key ⟦sec⟧\n"
        "aws s3 ls\nAn error occurred (InvalidAccessKeyId)",
        {"id": kid, "sec": sec},
    )


@_pos("cli")
def twine_upload(g: Gen):
    return (
        "twine upload -u __token__ -p ⟦t⟧ dist/*\nHTTPError: 403 Forbidden from https://upload.pypi.org/legacy/",
        {"t": Secret(g.keys.pypi(), "PYPI_TOKEN", "pypi")},
    )


@_pos("cli")
def docker_login_short(g: Gen):
    return (
        "docker login ghcr.io -u acme-bot --password ⟦t⟧\nError: denied: denied\n\nwhat scope does the token need?",
        {"t": Secret(g.keys.github(), "GITHUB_TOKEN", "github")},
    )


# --- connstr: JDBC, ODBC, ADO.NET, brokers, Azure ------------------------------------------


@_pos("connstr")
def jdbc_sqlserver(g: Gen):
    return (
        "jdbc:sqlserver://⟦h⟧:1433;databaseName=⟦db⟧;user=⟦u⟧;password=⟦pw⟧;encrypt=true;trustServerCertificate=false\n\n"
        "hikari says 'The TCP/IP connection to the host has failed'",
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.conn_pw()},
    )


@_pos("connstr")
def jdbc_mysql_params(g: Gen):
    return (
        "spring.datasource.url=jdbc:mysql://⟦h⟧:3306/⟦db⟧?user=⟦u⟧&password=⟦pw⟧&useSSL=false\n"
        "Communications link failure — is the url wrong?",
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.url_pw("-_.")},
    )


@_pos("connstr")
def odbc(g: Gen):
    return (
        'conn = pyodbc.connect("Driver={ODBC Driver 18 for SQL Server};Server=tcp:⟦h⟧,1433;'
        'Database=⟦db⟧;Uid=⟦u⟧;Pwd=⟦pw⟧;Encrypt=yes;TrustServerCertificate=no;")\n'
        "pyodbc.InterfaceError: ('28000', \"Login failed\")",
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.conn_pw()},
    )


@_pos("connstr")
def adonet_appsettings(g: Gen):
    return (
        'appsettings.Production.json\n{\n  "ConnectionStrings": {\n'
        '    "Default": "Server=⟦h⟧;Database=⟦db⟧;User Id=⟦u⟧;Password=⟦pw⟧;TrustServerCertificate=True"\n'
        '  },\n  "Logging": { "LogLevel": { "Default": "Warning" } }\n}\n\nEF Core migration fails with login error',
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.conn_pw()},
    )


@_pos("connstr")
def amqp_celery(g: Gen):
    return (
        "celeryconfig.py\n\nbroker_url = 'amqp://⟦u⟧:⟦pw⟧@rabbitmq.internal:5672/orders'\n"
        "result_backend = 'redis://redis.internal:6379/1'\n\nworkers disconnect every few minutes",
        {"u": g.user(), "pw": g.url_pw()},
    )


@_pos("connstr")
def kafka_sasl(g: Gen):
    return (
        "client.properties\n\nbootstrap.servers=pkc-4r297.europe-west1.gcp.confluent.cloud:9092\n"
        "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="⟦k⟧" password="⟦s⟧";\n\n'
        "consumer gets SaslAuthenticationException",
        {
            "k": Secret(g.s(_UPPER + _DIGITS, 16), "GENERIC_SECRET", "confluent api key"),
            "s": Secret(g.s(_ALNUM + "+/", 64), "GENERIC_SECRET", "confluent api secret"),
        },
    )


@_pos("connstr")
def redis_url(g: Gen):
    return (
        "REDIS_URL=rediss://:⟦pw⟧@cache-prod.x9kq1a.ng.0001.use1.cache.amazonaws.com:6380/0\n"
        "rq worker can't connect, TLS issue?",
        {"pw": g.url_pw()},
    )


@_pos("connstr")
def azure_storage(g: Gen):
    cs = g.keys.azure_storage_connection_string()
    head, key, tail = re.match(r"(.*AccountKey=)([^;]+)(;.*)", cs).groups()  # type: ignore[union-attr]
    return (
        'local.settings.json\n{\n  "IsEncrypted": false,\n  "Values": {\n'
        f'    "AzureWebJobsStorage": "{head}⟦k⟧{tail}",\n    "FUNCTIONS_WORKER_RUNTIME": "python"\n  }}\n}}\n\nthe blob trigger never fires',
        {"k": Secret(key, "AZURE_CONNECTION_STRING", "azure storage account key")},
    )


@_pos("connstr")
def azure_servicebus(g: Gen):
    return (
        "Endpoint=sb://acme-orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=⟦k⟧\n\n"
        "which SDK call do I use to peek messages with this?",
        {"k": Secret(g.b64(32), "AZURE_CONNECTION_STRING", "azure shared access key")},
    )


@_pos("connstr")
def azure_sas_url(g: Gen):
    sig = g.b64(32).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (
        "https://acmereports.blob.core.windows.net/exports/2024-05/orders.csv?sv=2022-11-02&ss=b&srt=co&sp=rl"
        "&se=2024-06-01T00:00:00Z&st=2024-05-01T00:00:00Z&spr=https&sig=⟦s⟧\n\ndownloading this with pandas gives 403",
        {"s": Secret(sig, "AZURE_KEY", "azure sas signature")},
    )


# --- config: XML, INI, properties, TOML, JSON, YAML, PHP -----------------------------------


@_pos("config")
def xml_appsettings(g: Gen):
    return (
        'web.config\n<appSettings>\n  <add key="Environment" value="Production" />\n'
        '  <add key="PartnerApiKey" value="⟦k⟧" />\n  <add key="SmtpPassword" value="⟦pw⟧" />\n</appSettings>\n\n'
        "how do I move these to Azure Key Vault?",
        {"k": Secret(g.s(_ALNUM, 32), "GENERIC_SECRET", "api key (alnum32)"), "pw": g.pw()},
    )


@_pos("config")
def maven_settings(g: Gen):
    return (
        "~/.m2/settings.xml\n<servers>\n  <server>\n    <id>nexus-releases</id>\n    <username>⟦u⟧</username>\n"
        "    <password>⟦pw⟧</password>\n  </server>\n</servers>\n\nmvn deploy returns 401",
        {"u": g.user(), "pw": g.pw()},
    )


@_pos("config")
def ini_database(g: Gen):
    return (
        "config.ini\n\n[database]\nhost = ⟦h⟧\nport = 5432\nuser = ⟦u⟧\npassword = ⟦pw⟧\n\n[api]\ntimeout = 30\n"
        "api_key = ⟦k⟧\n\nconfigparser raises InterpolationSyntaxError, why?",
        {
            "h": g.host(),
            "u": g.user(),
            "pw": g.pw(),
            "k": Secret(g.s(_ALNUM, 40), "GENERIC_SECRET", "api key (alnum40)"),
        },
    )


@_pos("config")
def spring_properties(g: Gen):
    return (
        "application.properties\n\nspring.datasource.url=jdbc:postgresql://⟦h⟧:5432/⟦db⟧\n"
        "spring.datasource.username=⟦u⟧\nspring.datasource.password=⟦pw⟧\n"
        "spring.mail.host=smtp.office365.com\nspring.mail.password=⟦mpw⟧\n",
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.pw("dashed"), "mpw": g.pw()},
    )


@_pos("config")
def cargo_credentials(g: Gen):
    return (
        '~/.cargo/credentials.toml\n\n[registry]\ntoken = "⟦t⟧"\n\n[registries.acme]\ntoken = "⟦t2⟧"\n\n'
        "cargo publish says the token is invalid",
        {
            "t": Secret(f"cio{g.s(_ALNUM, 32)}", "GENERIC_SECRET", "crates.io token"),
            "t2": Secret(g.s(_ALNUM, 24), "GENERIC_SECRET", "registry token"),
        },
    )


@_pos("config")
def json_config(g: Gen):
    var, key = g.vendor()
    return (
        'config.json:\n{\n  "service": "notifier",\n  "retries": 3,\n'
        f'  "{var.lower()}": "⟦k⟧",\n  "db": {{"host": "⟦h⟧", "password": "⟦pw⟧"}}\n}}\n\nwrite a pydantic model for this',
        {"k": key, "h": g.host(), "pw": g.pw()},
    )


@_pos("config")
def yaml_unquoted(g: Gen):
    var, key = g.vendor()
    return (
        f"settings.yaml\n\nlogging:\n  level: INFO\nintegrations:\n  {var.lower()}: ⟦k⟧\n  smtp:\n"
        "    user: alerts@acme-corp.io\n    password: ⟦pw⟧\n",
        {"k": key, "pw": g.pw()},
    )


@_pos("config")
def wp_config(g: Gen):
    return (
        "wp-config.php\n\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp_admin' );\n"
        "define( 'DB_PASSWORD', '⟦pw⟧' );\ndefine( 'DB_HOST', 'localhost' );\n"
        "define( 'AUTH_KEY', '⟦ak⟧' );\n\nsite shows 'Error establishing a database connection'",
        {
            "pw": g.pw(),
            "ak": Secret(
                g.s(_ALNUM + "!@#%^&*()-_[]{}<>~+=,.;:/?|", 64), "GENERIC_SECRET", "wordpress salt"
            ),
        },
    )


@_pos("config")
def aws_credentials_file(g: Gen):
    kid, sec = g.aws_pair()
    return (
        "~/.aws/credentials\n\n[default]\naws_access_key_id = ⟦id⟧\naws_secret_access_key = ⟦sec⟧\n\n"
        "[legacy]\nregion = us-west-2\n\nwhy does the CLI use the wrong profile?",
        {"id": kid, "sec": sec},
    )


@_pos("config")
def pgpass_netrc(g: Gen):
    if g.rng.random() < 0.5:
        return (
            "~/.pgpass:\n⟦h⟧:5432:⟦db⟧:⟦u⟧:⟦pw⟧\n\npsql still prompts for a password, permissions?",
            {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.pw(safe="!#%*-_.")},
        )
    return (
        "~/.netrc\nmachine github.com\n  login acme-bot\n  password ⟦t⟧\n\ngo get still fails for private modules",
        {"t": Secret(g.keys.github(), "GITHUB_TOKEN", "github")},
    )


@_pos("config")
def s3cfg(g: Gen):
    kid, sec = g.aws_pair()
    return (
        ".s3cfg\n[default]\naccess_key = ⟦id⟧\nsecret_key = ⟦sec⟧\nhost_base = s3.amazonaws.com\n",
        {"id": kid, "sec": sec},
    )


# --- code: literals in Python, JS, Java, Go, C#, Ruby, PHP, Rust, notebooks -----------------


def _split(g: Gen, secret: Secret, pieces: int) -> list[Secret]:
    value = secret.value
    cuts = sorted(g.rng.sample(range(8, len(value) - 4), pieces - 1))
    bounds = [0, *cuts, len(value)]
    return [
        Secret(value[a:b], secret.entity, secret.kind + " (split)")
        for a, b in itertools.pairwise(bounds)
    ]


def _known_format(g: Gen) -> Secret:
    """A vendor key whose format names it (a prefix), long enough to split."""
    while True:
        _, key = g.vendor()
        named = key.entity != "GENERIC_SECRET" and not re.fullmatch(r"[0-9a-f]+", key.value)
        if named and len(key.value) >= 24:
            return key


@_pos("code")
def py_split_implicit(g: Gen):
    key = _known_format(g)
    a, b = _split(g, key, 2)
    return (
        '```python\nAPI_KEY = (\n    "⟦a⟧"\n    "⟦b⟧"\n)\nclient = Client(api_key=API_KEY)\n```\nis this safer than one string?',
        {"a": a, "b": b},
    )


@_pos("code")
def js_split_plus(g: Gen):
    key = _known_format(g)
    a, b, c = _split(g, key, 3)
    return (
        "// so the scanner doesn't flag it\nconst KEY = '⟦a⟧' + '⟦b⟧' +\n  '⟦c⟧';\n"
        "fetch(url, { headers: { Authorization: `Bearer ${KEY}` } });",
        {"a": a, "b": b, "c": c},
    )


@_pos("code")
def py_requests(g: Gen):
    _, key = g.vendor()
    return (
        '```python\nimport requests\n\nHEADERS = {"Authorization": "Bearer ⟦k⟧", "Content-Type": "application/json"}\n'
        'r = requests.get("https://api.acme-corp.io/v1/users", headers=HEADERS, timeout=10)\nprint(r.json())\n```\n'
        "how do I paginate this?",
        {"k": key},
    )


@_pos("code")
def py_boto3(g: Gen):
    kid, sec = g.aws_pair()
    return (
        's3 = boto3.client(\n    "s3",\n    aws_access_key_id="⟦id⟧",\n    aws_secret_access_key="⟦sec⟧",\n'
        '    region_name="eu-west-1",\n)\nobjs = s3.list_objects_v2(Bucket="acme-logs")\n\nwhy is it slow?',
        {"id": kid, "sec": sec},
    )


@_pos("code")
def py_smtplib(g: Gen):
    pw = g.pick((Secret(g.passphrase(), "GENERIC_SECRET", "passphrase with spaces"), g.pw("short")))
    return (
        'import smtplib\n\nwith smtplib.SMTP("smtp.gmail.com", 587) as server:\n    server.starttls()\n'
        '    server.login("reports@acme-corp.io", "⟦pw⟧")\n    server.send_message(msg)\n\n'
        "gmail says Application-specific password required",
        {"pw": pw},
    )


@_pos("code")
def py_psycopg2(g: Gen):
    return (
        'conn = psycopg2.connect(host="⟦h⟧", dbname="⟦db⟧", user="⟦u⟧", password="⟦pw⟧", port=5432)\n'
        "cur = conn.cursor()\n\nhow do I use a connection pool instead?",
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.pw()},
    )


@_pos("code")
def py_twilio(g: Gen):
    return (
        "from twilio.rest import Client\nclient = Client('AC⟦sid⟧', '⟦tok⟧')\n"
        "client.messages.create(to='+15558675310', from_='+15017122661', body='Your code is 4821')\n\n"
        "getting error 20003",
        {"sid": g.hex(32), "tok": Secret(g.hex(32), "TWILIO_KEY", "twilio auth token")},
    )


@_pos("code")
def js_node_client(g: Gen):
    var, key = g.vendor()
    return (
        "```js\nimport { Client } from './client.js';\n\nconst client = new Client({\n"
        f"  apiKey: process.env.{var} || '⟦k⟧',\n  timeout: 10_000,\n}});\n```\nis the fallback a bad idea?",
        {"k": key},
    )


@_pos("code")
def java_constant(g: Gen):
    var, key = g.vendor()
    return (
        "public class PaymentGateway {\n"
        f'    private static final String {var} = "⟦k⟧";\n'
        '    private static final String DB_PASSWORD = "⟦pw⟧";\n\n    public Charge charge(Order o) { ... }\n}\n\n'
        "refactor this to use spring config",
        {"k": key, "pw": g.pw()},
    )


@_pos("code")
def go_twilio_params(g: Gen):
    return (
        'client := twilio.NewRestClientWithParams(twilio.ClientParams{\n\tUsername: "AC⟦sid⟧",\n'
        '\tPassword: "⟦tok⟧",\n})\n\nhow do I mock this in tests?',
        {"sid": g.hex(32), "tok": Secret(g.hex(32), "TWILIO_KEY", "twilio auth token")},
    )


@_pos("code")
def go_struct_literal(g: Gen):
    var, key = g.vendor()
    return (
        'cfg := Config{\n\tEndpoint: "https://api.acme-corp.io",\n'
        f'\tToken:    "⟦k⟧", // {var}\n\tTimeout:  30 * time.Second,\n}}\n\nwhy is Token empty at runtime?',
        {"k": key},
    )


@_pos("code")
def csharp_sendgrid(g: Gen):
    return (
        'var client = new SendGridClient("⟦k⟧");\nvar msg = MailHelper.CreateSingleEmail(from, to, subject, text, html);\n'
        "var response = await client.SendEmailAsync(msg);\n// response.StatusCode is Unauthorized",
        {"k": Secret(g.keys.sendgrid(), "SENDGRID_API_KEY", "sendgrid")},
    )


@_pos("code")
def csharp_sqlconnection(g: Gen):
    return (
        'using var conn = new SqlConnection("Data Source=⟦h⟧;Initial Catalog=⟦db⟧;User ID=⟦u⟧;Password=⟦pw⟧");\n'
        "await conn.OpenAsync();\n\nis this leaking connections?",
        {"h": g.host(), "db": g.db(), "u": g.user(), "pw": g.conn_pw()},
    )


@_pos("code")
def ruby_stripe(g: Gen):
    return (
        "# config/initializers/stripe.rb\nStripe.api_key = '⟦k⟧'\nStripe.api_version = '2023-10-16'\n\n"
        "how do I use credentials.yml.enc instead?",
        {"k": Secret(g.keys.stripe(), "STRIPE_KEY", "stripe")},
    )


@_pos("code")
def php_mailer(g: Gen):
    return (
        "$mail->isSMTP();\n$mail->Host = 'smtp.office365.com';\n$mail->SMTPAuth = true;\n"
        "$mail->Username = 'noreply@acme-corp.io';\n$mail->Password = '⟦pw⟧';\n$mail->Port = 587;\n\n"
        "SMTP Error: Could not authenticate.",
        {"pw": g.pw()},
    )


@_pos("code")
def rust_octocrab(g: Gen):
    return (
        'let octocrab = Octocrab::builder()\n    .personal_token("⟦t⟧".to_string())\n    .build()?;\n\n'
        "the compiler says the future is not Send",
        {"t": Secret(g.keys.github(), "GITHUB_TOKEN", "github")},
    )


@_pos("code")
def notebook_cell(g: Gen):
    _, key = g.vendor()
    return (
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 3,\n   "metadata": {},\n'
        '   "outputs": [],\n   "source": [\n    "import os\\n",\n    "os.environ[\\"API_KEY\\"] = \\"⟦k⟧\\"\\n",\n'
        '    "llm = load_model()"\n   ]\n  }\n ]\n}\n\nwhy does this notebook not run on colab?',
        {"k": key},
    )


@_pos("code")
def py_headers_dict_generic(g: Gen):
    return (
        'payload = {"client_id": "acme-etl", "client_secret": "⟦s⟧", "grant_type": "client_credentials"}\n'
        'token = requests.post(TOKEN_URL, data=payload).json()["access_token"]',
        {"s": Secret(g.s(_URLSAFE, 40), "GENERIC_SECRET", "oauth client secret")},
    )


# --- keys: PEM private keys, JWTs ---------------------------------------------------------


@_pos("keys")
def pem_paste(g: Gen):
    return (
        "ssh says 'invalid format' when I use this key, is it broken?\n\n⟦k⟧\n",
        {"k": g.pem()},
    )


@_pos("keys")
def pem_k8s_stringdata(g: Gen):
    key = g.keys.private_key()
    indented = key.replace("\n", "\n    ")
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: deploy-key\nstringData:\n  ssh-privatekey: |\n    ⟦k⟧\n",
        {"k": Secret(indented, "PRIVATE_KEY", "private key (indented)")},
    )


@_pos("keys")
def jwt_debug(g: Gen):
    return (
        "can you decode this JWT and tell me why the API says it's expired?\n\n⟦t⟧",
        {"t": g.jwt()},
    )


@_pos("keys")
def jwt_curl(g: Gen):
    return (
        'curl -H "Authorization: Bearer ⟦t⟧" https://api.acme-corp.io/me\n{"error":"invalid_token"}',
        {"t": g.jwt()},
    )


@_pos("keys")
def jwt_log(g: Gen):
    return (
        "2024-05-03T11:02:17.114Z WARN auth-middleware token rejected user=4412 token=⟦t⟧ reason=aud_mismatch\n"
        "what does aud_mismatch mean?",
        {"t": g.jwt()},
    )


# --- cloud: AWS STS, GCP service accounts, Azure ------------------------------------------


@_pos("cloud")
def aws_sts_json(g: Gen):
    kid = Secret(
        "ASIA" + g.s(string.ascii_uppercase + "234567", 16),
        "AWS_ACCESS_KEY_ID",
        "aws access key id",
    )
    sec = Secret(g.keys.aws_secret_access_key(), "AWS_SECRET_ACCESS_KEY", "aws secret key")
    tok = Secret("IQoJb3JpZ2luX2Vj" + g.s(_B64, 300), "GENERIC_SECRET", "aws session token")
    return (
        'output of aws sts assume-role:\n{\n    "Credentials": {\n        "AccessKeyId": "⟦id⟧",\n'
        '        "SecretAccessKey": "⟦sec⟧",\n        "SessionToken": "⟦tok⟧",\n'
        '        "Expiration": "2024-05-03T12:14:07+00:00"\n    }\n}\nhow do I export these in bash?',
        {"id": kid, "sec": sec, "tok": tok},
    )


@_pos("cloud")
def gcp_service_account(g: Gen):
    project = f"{g.word()}-{g.word()}-{g.rng.randrange(100000, 999999)}"
    return (
        'I get \'invalid_grant: Invalid JWT Signature\' with this key file:\n{\n  "type": "service_account",\n'
        f'  "project_id": "{project}",\n  "private_key_id": "⟦kid⟧",\n  "private_key": "⟦k⟧\\n",\n'
        f'  "client_email": "etl-runner@{project}.iam.gserviceaccount.com",\n  "client_id": "⟦cid⟧",\n'
        '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",\n  "token_uri": "https://oauth2.googleapis.com/token"\n}',
        {"kid": g.hex(40), "cid": str(g.rng.randrange(10**20, 10**21)), "k": g.pem(escaped=True)},
    )


@_pos("cloud")
def azure_app_settings(g: Gen):
    return (
        '"AzureAd": {\n  "Instance": "https://login.microsoftonline.com/",\n  "TenantId": "⟦t⟧",\n'
        '  "ClientId": "⟦c⟧",\n  "ClientSecret": "⟦s⟧"\n}\n\nthe token call returns AADSTS700016',
        {
            "t": g.uuid(),
            "c": g.uuid(),
            "s": Secret(g.keys.azure_client_secret(), "AZURE_KEY", "azure client secret"),
        },
    )


@_pos("cloud")
def azure_openai_env(g: Gen):
    return (
        "AZURE_OPENAI_ENDPOINT=https://acme-eus2.openai.azure.com/\nAZURE_OPENAI_API_KEY=⟦k⟧\n"
        "AZURE_OPENAI_DEPLOYMENT=gpt-4o-prod\n\nlangchain says Resource not found",
        {"k": Secret(g.hex(32), "AZURE_KEY", "azure openai key")},
    )


@_pos("cloud")
def gcp_api_key_url(g: Gen):
    return (
        "https://maps.googleapis.com/maps/api/geocode/json?address=1600+Amphitheatre&key=⟦k⟧\n"
        "returns REQUEST_DENIED, what API do I need to enable?",
        {"k": Secret(f"AIza{g.s(_URLSAFE, 35)}", "GOOGLE_API_KEY", "google")},
    )


# ======================================================================================
# HARD NEGATIVES: nothing here is a secret
# ======================================================================================

# --- placeholders and documentation examples ---------------------------------------------


@_neg("neg_placeholder")
def env_example(g: Gen):
    return (
        "# .env.example — copy to .env and fill in\nOPENAI_API_KEY=sk-...\nANTHROPIC_API_KEY=<YOUR_KEY>\n"
        "DB_PASSWORD=changeme\nSTRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nREDIS_PASSWORD=\n"
        "GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n\nwrite a README section explaining these",
        {},
    )


@_neg("neg_placeholder")
def readme_setup(g: Gen):
    var = g.pick(("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "HF_TOKEN", "GROQ_API_KEY"))
    return (
        f'## Setup\n\n1. Get a key from the dashboard.\n2. Run `export {var}="your-api-key-here"`\n'
        "3. `pip install -r requirements.txt && python app.py`\n\nmake this README friendlier",
        {},
    )


@_neg("neg_placeholder")
def compose_vars(g: Gen):
    return (
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"
        "      POSTGRES_USER: ${POSTGRES_USER:-app}\n  api:\n    environment:\n      API_KEY: ${API_KEY:?API_KEY is required}\n"
        "      DATABASE_URL: postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/app\n",
        {},
    )


@_neg("neg_placeholder")
def gha_secrets(g: Gen):
    return (
        "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n"
        "      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n    steps:\n"
        "      - uses: actions/setup-node@v4\n        with:\n          registry-url: https://registry.npmjs.org\n"
        "      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n",
        {},
    )


@_neg("neg_placeholder")
def helm_template(g: Gen):
    return (
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include "app.fullname" . }}\ntype: Opaque\n'
        "stringData:\n  password: {{ .Values.postgresql.auth.password | quote }}\n"
        '  api-token: {{ required "apiToken is required" .Values.apiToken }}\n',
        {},
    )


@_neg("neg_placeholder")
def aws_doc_example(g: Gen):
    return (
        "From the AWS docs:\n\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\nwhat's the difference between profiles and roles?",
        {},
    )


@_neg("neg_placeholder")
def runs_of_x(g: Gen):
    return (
        "Examples of token formats for the docs page:\n- AWS: AKIAXXXXXXXXXXXXXXXX\n- npm: npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        "- Stripe: sk_live_****************************\n- Slack: xoxb-000000000000-000000000000-xxxxxxxxxxxxxxxxxxxxxxxx\n"
        "- GitLab: glpat-xxxxxxxxxxxxxxxxxxxx\n- SendGrid: SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        "rewrite as a table",
        {},
    )


@_neg("neg_placeholder")
def masked_in_logs(g: Gen):
    tail = g.s(_ALNUM, 4)
    return (
        f"openai.AuthenticationError: Incorrect API key provided: sk-proj-****************************{tail}. "
        "You can find your API key at https://platform.openai.com/account/api-keys.\n"
        f"also the dashboard shows the key as sk-ant-...{tail} — which one is wrong?",
        {},
    )


@_neg("neg_placeholder")
def redacted_values(g: Gen):
    return (
        '{\n  "user": "jdoe",\n  "password": "<redacted>",\n  "api_key": "[REDACTED]",\n'
        '  "token": "********",\n  "secret": "***"\n}\nthis is what our logger prints, good enough for compliance?',
        {},
    )


@_neg("neg_placeholder")
def api_docs_snippet(g: Gen):
    return (
        "curl https://api.example.com/v1/charges \\\n  -u {username}:{password} \\\n"
        '  -H "Authorization: Bearer <token>" \\\n  -H "X-Api-Key: YOUR_API_KEY" \\\n  -d amount=2000\n\n'
        "translate this API doc to German",
        {},
    )


@_neg("neg_placeholder")
def tfvars_example(g: Gen):
    return (
        '# terraform.tfvars.example\ndb_password     = "CHANGE_ME"\ndatadog_api_key = "<datadog-api-key>"\n'
        'slack_webhook   = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"\n',
        {},
    )


@_neg("neg_placeholder")
def password_stdin(g: Gen):
    return (
        'echo "$CR_PAT" | docker login ghcr.io -u $GITHUB_ACTOR --password-stdin\nmysql -u root -p\n'
        'PGPASSWORD="$DB_PASS" psql -h db -U app\nredis-cli -a "$REDIS_PASSWORD" ping\n\nare these safe in CI?',
        {},
    )


@_neg("neg_placeholder")
def template_vars_in_code(g: Gen):
    return (
        'conn_str = f"postgresql://{user}:{password}@{host}:{port}/{db}"\nurl = "amqp://%s:%s@%s/" % (user, pw, host)\n'
        "dsn = 'mysql://{{ db_user }}:{{ db_password }}@{{ db_host }}/app'\n",
        {},
    )


# --- references: reading secrets from somewhere else ----------------------------------------


@_neg("neg_reference")
def py_env_refs(g: Gen):
    return (
        '```python\nimport os\n\nOPENAI_API_KEY = os.environ["OPENAI_API_KEY"]\ndb_password = os.getenv("DB_PASSWORD", "")\n'
        'token = settings.GITHUB_TOKEN\nsecret = config.get("auth", "client_secret")\n```\nis there a cleaner pattern?',
        {},
    )


@_neg("neg_reference")
def js_env_refs(g: Gen):
    return (
        "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY, { apiVersion: '2023-10-16' });\n"
        "const password = process.env.DB_PASSWORD ?? '';\nconst apiKey = import.meta.env.VITE_API_KEY;\n",
        {},
    )


@_neg("neg_reference")
def k8s_secret_ref(g: Gen):
    return (
        "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password\n"
        "  - name: OPENAI_API_KEY\n    valueFrom:\n      secretKeyRef: {name: llm, key: openai-api-key}\n",
        {},
    )


@_neg("neg_reference")
def terraform_refs(g: Gen):
    return (
        'resource "aws_db_instance" "main" {\n  username = var.db_username\n'
        "  password = data.aws_secretsmanager_secret_version.db.secret_string\n"
        '  kms_key_id = aws_kms_key.rds.arn\n}\nvariable "db_password" {\n  type      = string\n  sensitive = true\n}\n',
        {},
    )


@_neg("neg_reference")
def spring_value(g: Gen):
    return (
        '@Value("${spring.datasource.password}")\nprivate String dbPassword;\n\n@Value("${stripe.api-key}")\n'
        "private String stripeApiKey;\n\nspring.datasource.password=${DB_PASSWORD}\n",
        {},
    )


@_neg("neg_reference")
def vault_cli(g: Gen):
    return (
        "vault kv get -field=password secret/data/prod/postgres\naws secretsmanager get-secret-value --secret-id prod/api/stripe\n"
        "gcloud secrets versions access latest --secret=openai-api-key\nop read op://Engineering/Stripe/credential\n",
        {},
    )


@_neg("neg_reference")
def csharp_config(g: Gen):
    return (
        'var apiKey = builder.Configuration["OpenAI:ApiKey"];\nvar conn = builder.Configuration.GetConnectionString("Default");\n'
        'var secret = Environment.GetEnvironmentVariable("AZURE_CLIENT_SECRET");\n',
        {},
    )


@_neg("neg_reference")
def secret_file_paths(g: Gen):
    return (
        "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n"
        "    secrets:\n      - db_password\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n",
        {},
    )


# --- identifiers that are public or random-looking but not credentials ----------------------


@_neg("neg_identifier")
def uuids_request_ids(g: Gen):
    return (
        f"2024-05-03T10:11:12Z INFO request_id={g.uuid()} user_id={g.uuid()} route=/v1/orders status=200\n"
        f"2024-05-03T10:11:13Z ERROR request_id={g.uuid()} correlation_id={g.uuid()} upstream timeout\n"
        "why does the second request time out?",
        {},
    )


@_neg("neg_identifier")
def git_log_shas(g: Gen):
    lines = "\n".join(
        f"commit {g.hex(40)}\nAuthor: dev{i} <dev{i}@acme-corp.io>\n\n    {g.pick(('fix flaky test', 'bump deps', 'add retries', 'refactor auth'))}\n"
        for i in range(3)
    )
    return (f"{lines}\nwrite release notes from this git log", {})


@_neg("neg_identifier")
def checksums(g: Gen):
    return (
        f"{g.hex(64)}  warden-1.4.2-linux-amd64.tar.gz\n{g.hex(64)}  warden-1.4.2-darwin-arm64.tar.gz\n"
        f"md5: {g.hex(32)}\nsha1: {g.hex(40)}\n\nhow do I verify these on Windows?",
        {},
    )


@_neg("neg_identifier")
def lockfile_integrity(g: Gen):
    return (
        '"node_modules/lodash": {\n  "version": "4.17.21",\n  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",\n'
        f'  "integrity": "sha512-{g.b64(64)}"\n}},\n'
        f"golang.org/x/net v0.24.0 h1:{g.b64(32)}\ngolang.org/x/net v0.24.0/go.mod h1:{g.b64(32)}\n",
        {},
    )


@_neg("neg_identifier")
def docker_digest(g: Gen):
    return (
        f"image: ghcr.io/acme/api@sha256:{g.hex(64)}\n"
        f"Digest: sha256:{g.hex(64)}\nStatus: Downloaded newer image for node:20-alpine\n"
        f"pod/api-7d9f8b6c5d-{g.s(_LOWER + _DIGITS, 5)} 1/1 Running\n",
        {},
    )


@_neg("neg_identifier")
def pip_hashes(g: Gen):
    return (
        f"requests==2.31.0 \\\n    --hash=sha256:{g.hex(64)} \\\n    --hash=sha256:{g.hex(64)}\n"
        f"urllib3==2.2.1 \\\n    --hash=sha256:{g.hex(64)}\n\nwhy does pip say hashes don't match?",
        {},
    )


@_neg("neg_identifier")
def base64_image(g: Gen):
    png = b"\x89PNG\r\n\x1a\n" + g.rng.randbytes(g.rng.randint(90, 200))
    return (
        f'<img alt="logo" src="data:image/png;base64,{base64.b64encode(png).decode()}" />\nwhy isn\'t this image showing?',
        {},
    )


@_neg("neg_identifier")
def gcp_key_fragments(g: Gen):
    project = f"{g.word()}-{g.rng.randrange(100000, 999999)}"
    return (
        f'{{\n  "type": "service_account",\n  "project_id": "{project}",\n  "private_key_id": "{g.hex(40)}",\n'
        f'  "client_email": "ci@{project}.iam.gserviceaccount.com",\n  "client_id": "{g.rng.randrange(10**20, 10**21)}"\n}}\n'
        "I removed the private key before pasting; which role do I need for BigQuery?",
        {},
    )


@_neg("neg_identifier")
def key_ids(g: Gen):
    return (
        f'aws kms describe-key --key-id {g.uuid()}\n"KeyArn": "arn:aws:kms:eu-west-1:{g.rng.randrange(10**11, 10**12)}:key/{g.uuid()}"\n'
        f"gpg --recv-keys {g.hex(40).upper()}\nAPPLE_KEY_ID={g.s(_UPPER + _DIGITS, 10)}\n"
        f'"kid": "{g.s(_URLSAFE, 43)}"\n',
        {},
    )


@_neg("neg_identifier")
def twilio_sid_alone(g: Gen):
    return (
        f"Twilio error 20429: Too Many Requests for account AC{g.hex(32)} on message SM{g.hex(32)}\n"
        f"Messaging service MG{g.hex(32)}\nhow do I raise the rate limit?",
        {},
    )


@_neg("neg_identifier")
def ids_in_urls(g: Gen):
    return (
        f"https://docs.google.com/spreadsheets/d/1{g.s(_URLSAFE, 43)}/edit#gid=0\n"
        f"https://dashboard.stripe.com/customers/cus_{g.s(_ALNUM, 14)}\n"
        f"https://www.youtube.com/watch?v={g.s(_URLSAFE, 11)}\n"
        f"https://github.com/acme-corp/api/commit/{g.hex(40)}\n"
        f"https://eu-west-1.console.aws.amazon.com/ec2/home#InstanceDetails:instanceId=i-0{g.hex(16)}\n"
        "summarise what each of these links is",
        {},
    )


@_neg("neg_identifier")
def trace_headers(g: Gen):
    return (
        f"traceparent: 00-{g.hex(32)}-{g.hex(16)}-01\nx-amzn-RequestId: {g.uuid()}\n"
        f"x-amz-id-2: {g.b64(48)}\ncf-ray: {g.hex(16)}-FRA\nx-request-id: {g.s(_ALNUM, 26)}\n\n"
        "which of these should I log?",
        {},
    )


@_neg("neg_identifier")
def etags_s3_keys(g: Gen):
    return (
        f'ETag: "{g.hex(32)}"\nETag: W/"{g.hex(8)}-{g.s(_URLSAFE, 27)}"\n'
        f"s3://acme-uploads-prod/user-content/2024/05/{g.uuid()}/{g.s(_ALNUM, 20)}.png\n"
        f"VersionId: {g.s(_ALNUM + '._', 32)}\nhow do I use If-None-Match with these?",
        {},
    )


@_neg("neg_identifier")
def stripe_publishable(g: Gen):
    return (
        f"<script src=\"https://js.stripe.com/v3/\"></script>\n<script>\n  const stripe = Stripe('pk_live_{g.s(_ALNUM, 99)}');\n"
        "  const elements = stripe.elements();\n</script>\nthe card element doesn't render",
        {},
    )


@_neg("neg_identifier")
def azure_ids(g: Gen):
    return (
        f"/subscriptions/{g.uuid()}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/acme-api\n"
        f"tenantId: {g.uuid()}\nclientId: {g.uuid()}\nobjectId: {g.uuid()}\n\nwhat role assignment is missing?",
        {},
    )


@_neg("neg_identifier")
def oauth_client_ids(g: Gen):
    return (
        f"GOOGLE_CLIENT_ID={g.rng.randrange(10**11, 10**12)}-{g.s(_LOWER + _DIGITS, 32)}.apps.googleusercontent.com\n"
        f"GITHUB_APP_CLIENT_ID=Iv1.{g.hex(16)}\nAUTH0_DOMAIN=acme.eu.auth0.com\n\nwhich of these can go in the frontend bundle?",
        {},
    )


@_neg("neg_identifier")
def chunk_hashes(g: Gen):
    return (
        f"dist/assets/index-{g.s(_URLSAFE, 8)}.js   512.31 kB │ gzip: 160.22 kB\n"
        f"dist/assets/vendor.{g.hex(8)}.css  12.04 kB\nstatic/js/main.{g.hex(8)}.chunk.js\n"
        f"go: downloading github.com/acme/lib v0.0.0-20240312093012-{g.hex(12)}\nwhy is the bundle so large?",
        {},
    )


@_neg("neg_identifier")
def slack_ids(g: Gen):
    return (
        f"channel: C0{g.s(_UPPER + _DIGITS, 9)}\nuser: U0{g.s(_UPPER + _DIGITS, 8)}\nts: {g.rng.randrange(1_700_000_000, 1_720_000_000)}.{g.rng.randrange(100000, 999999)}\n"
        f"https://acme.slack.com/archives/C0{g.s(_UPPER + _DIGITS, 9)}/p{g.rng.randrange(10**15, 10**16)}\n"
        "how do I fetch replies to this message with the API?",
        {},
    )


@_neg("neg_identifier")
def terraform_state_ids(g: Gen):
    return (
        f'"id": "sg-0{g.hex(16)}",\n"vpc_id": "vpc-0{g.hex(16)}",\n"arn": "arn:aws:iam::{g.rng.randrange(10**11, 10**12)}:role/ci-deployer",\n'
        f'"unique_id": "AROA{g.s(_UPPER + "234567", 17)}",\n"etag": "{g.hex(32)}"\n',
        {},
    )


@_neg("neg_identifier")
def eth_address(g: Gen):
    return (
        f"Send the test tokens to 0x{g.hex(40)} on Sepolia; the contract is at 0x{g.hex(40)}.\n"
        f"tx hash 0x{g.hex(64)} — why is it pending?",
        {},
    )


# --- public keys and certificates -------------------------------------------------------------


@_neg("neg_public")
def ssh_public_keys(g: Gen):
    return (
        f"~/.ssh/authorized_keys\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{g.s(_B64, 43)} dev@laptop\n"
        f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ{g.s(_B64, 300)}= ci@runner\n\nwhich key type should I prefer?",
        {},
    )


@_neg("neg_public")
def pem_certificate(g: Gen):
    body = "\n".join(g.s(_B64, 64) for _ in range(g.rng.randint(6, 14)))
    return (
        f"-----BEGIN CERTIFICATE-----\nMIID{body}\n-----END CERTIFICATE-----\n\nopenssl says 'unable to get local issuer certificate'",
        {},
    )


@_neg("neg_public")
def pem_public_key(g: Gen):
    body = "\n".join(g.s(_B64, 64) for _ in range(g.rng.randint(3, 6)))
    return (
        f"verify webhooks with this public key:\n-----BEGIN PUBLIC KEY-----\nMIIB{body}\n-----END PUBLIC KEY-----\n",
        {},
    )


@_neg("neg_public")
def jwks(g: Gen):
    return (
        f'{{"keys": [{{"kty": "RSA", "use": "sig", "kid": "{g.s(_URLSAFE, 43)}", "alg": "RS256",\n'
        f'  "n": "{g.s(_URLSAFE, 342)}",\n  "e": "AQAB"}}]}}\nwhich kid does my token use?',
        {},
    )


@_neg("neg_public")
def k8s_secret_public_only(g: Gen):
    return (
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-ca\ndata:\n  username: {base64.b64encode(g.user().encode()).decode()}\n"
        f"  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{g.s(_B64, 120)}\n",
        {},
    )


@_neg("neg_public")
def bcrypt_docs(g: Gen):
    return (
        'Password hashing settings:\nPASSWORD_MIN_LENGTH = 12\nPASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]\n'
        "password_reset_timeout = 3600\nTOKEN_EXPIRY_SECONDS = 900\n",
        {},
    )


# --- code and prose that talks about secrets -----------------------------------------------


@_neg("neg_code")
def minified_js(g: Gen):
    names = [g.s(_LOWER + _UPPER, 2) for _ in range(6)]
    return (
        f'!function(e,t){{"object"==typeof exports?module.exports=t():e.{names[0]}=t()}}(this,function(){{var '
        f'{names[1]}="{g.s(_ALNUM, 24)}",{names[2]}=function(e){{return e.replace(/[A-Za-z0-9+/=]/g,"")}};'
        f'return{{token:{names[1]},decode:{names[2]},v:"{g.hex(7)}"}}}});\nwhat does this minified code do?',
        {},
    )


@_neg("neg_code")
def identifiers(g: Gen):
    return (
        "class TokenRefresher:\n    def get_access_token_from_refresh_token(self, refresh_token: str) -> str: ...\n"
        "    def rotate_api_key(self, key_id: str) -> None: ...\n\nPASSWORD_RESET_TOKEN_EXPIRY_HOURS = 24\n"
        'api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)\n',
        {},
    )


@_neg("neg_code")
def validation_messages(g: Gen):
    return (
        'errors = {\n  "password": "Password must be at least 8 characters and contain a number",\n'
        '  "api_key": "Enter your API key from the settings page",\n  "token": "Your session token has expired"\n}\n'
        "translate these to French",
        {},
    )


@_neg("neg_code")
def prose_about_secrets(g: Gen):
    return (
        "How should we rotate our AWS secret access keys and GitHub personal access tokens every 90 days? "
        "We use Vault for database passwords and 1Password for shared logins. Draft a policy.",
        {},
    )


@_neg("neg_code")
def password_policy_yaml(g: Gen):
    return (
        "auth:\n  password:\n    min_length: 12\n    require_symbols: true\n    max_age_days: 90\n"
        "  api_keys:\n    prefix: acme_\n    length: 40\n  token:\n    ttl: 15m\n    algorithm: RS256\n",
        {},
    )


@_neg("neg_code")
def hash_functions(g: Gen):
    text = g.word()
    return (
        f">>> hashlib.sha256(b\"{text}\").hexdigest()\n'{hashlib.sha256(text.encode()).hexdigest()}'\n"
        f">>> uuid.uuid4().hex\n'{g.hex(32)}'\n>>> secrets.token_hex(4)\n'{g.hex(8)}'\n\nexplain the difference",
        {},
    )


@_neg("neg_code")
def jwt_truncated_doc(g: Gen):
    return (
        "A JWT looks like `eyJhbGciOi...` followed by two more dot-separated parts: header.payload.signature. "
        'The header decodes to something like {"alg": "HS256", "typ": "JWT"}. Explain the `exp` claim.',
        {},
    )


@_neg("neg_code")
def hex_colors_css(g: Gen):
    cols = "\n".join(f"  --color-{i}: #{g.hex(6)};" for i in range(5))
    return (
        f":root {{\n{cols}\n}}\n.btn-{g.hex(6)} {{ color: #{g.hex(6)}; }}\nsuggest a dark theme",
        {},
    )


@_neg("neg_code")
def test_fixture_names(g: Gen):
    return (
        "def test_login_rejects_wrong_password(client):\n    resp = client.post('/login', json={'user': 'alice', 'password': password_fixture})\n"
        "    assert resp.status_code == 401\n    assert 'invalid_credentials' in resp.json()['error']\n",
        {},
    )


@_neg("neg_code")
def json_json_schema(g: Gen):
    return (
        '{\n  "type": "object",\n  "properties": {\n    "api_key": {"type": "string", "minLength": 32, "pattern": "^sk-[A-Za-z0-9]{32,}$"},\n'
        '    "password": {"type": "string", "format": "password", "writeOnly": true}\n  },\n  "required": ["api_key"]\n}\n',
        {},
    )


# ======================================================================================


def _cases(families: dict[str, list[tuple[str, Template]]], g: Gen, count: int) -> list[Case]:
    templates = [(family, name, fn) for family, items in families.items() for name, fn in items]
    out: list[Case] = []
    i = 0
    while len(out) < count:
        family, name, fn = templates[i % len(templates)]
        i += 1
        text, labels, kinds = _fill(*fn(g))
        out.append(Case(family, name, Sample(f"{family}/{name}", text, labels), kinds))
    return out


def build_heldout(seed: int, positives: int = 420, negatives: int = 360) -> list[Case]:
    """`positives` prompts with secrets (about 1.2 secrets each) and `negatives` hard
    negatives, every template used in turn, fresh values for `seed`."""
    g = Gen(seed)
    cases = _cases(POSITIVE_FAMILIES, g, positives) + _cases(NEGATIVE_FAMILIES, g, negatives)
    for case in cases:  # the labels must point at what was planted
        for label in case.sample.labels:
            assert case.sample.text[label.start : label.end].strip(), case.template
    return cases


def corpus_summary(cases: list[Case]) -> dict[str, int]:
    return {
        "prompts with secrets": sum(1 for c in cases if c.sample.labels),
        "secrets": sum(len(c.sample.labels) for c in cases),
        "hard negatives": sum(1 for c in cases if not c.sample.labels),
        "templates": len({c.sample.kind for c in cases}),
    }
