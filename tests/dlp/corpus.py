"""A labelled DLP corpus, generated: prompts and code with fake keys and Faker-made personal
data in them (positives, with the exact span of every planted value), and text that must
not be reported as a secret (negatives: UUIDs, git SHAs, hashes, base64 images, code, prose).

Deterministic for a seed. Used by the accuracy tests and by benchmarks/dlp_scan.py.
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from faker import Faker

from tests.dlp.fake_keys import FAMILIES, FakeKeys

__all__ = ["Label", "Sample", "build_corpus"]


@dataclass(frozen=True, slots=True)
class Label:
    entity: str
    start: int
    end: int


@dataclass(slots=True)
class Sample:
    kind: str  # which template made it, for reading failures
    text: str
    labels: list[Label] = field(default_factory=list)


class _Builder:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.parts: list[str] = []
        self.labels: list[Label] = []
        self.length = 0

    def add(self, text: str, entity: str | None = None) -> _Builder:
        if entity:
            self.labels.append(Label(entity, self.length, self.length + len(text)))
        self.parts.append(text)
        self.length += len(text)
        return self

    def build(self) -> Sample:
        return Sample(self.kind, "".join(self.parts), self.labels)


def _fill(kind: str, template: str, values: dict[str, tuple[str, str | None]]) -> Sample:
    """Fill {name} fields; values map a name to (text, entity or None for unlabelled)."""
    builder = _Builder(kind)
    for literal, name, _, _ in string.Formatter().parse(template):
        builder.add(literal)
        if name:
            text, entity = values[name]
            builder.add(text, entity)
    return builder.build()


# --- secrets in realistic prompts and code ------------------------------------------------

_SECRET_TEMPLATES = [
    'Why does this fail with 401?\n\n```python\nclient = Client(api_key="{key}")\n'
    "resp = client.list()\n```",
    "Here's my .env, can you spot what's wrong?\n\nDEBUG=true\nSERVICE_TOKEN={key}\nPORT=8080\n",
    "curl -s https://api.example.com/v1/items -H 'Authorization: Bearer {key}' | jq .",
    "config.yaml:\n\nservice:\n  name: billing\n  credentials:\n    token: {key}\n  retries: 3\n",
    '{{"name": "deploy", "env": {{"API_TOKEN": "{key}", "REGION": "eu-west-1"}}}}',
    "I rotated the key yesterday but the old one still works?? it's {key} - is that expected?",
    "export TOKEN={key}\n./run-migration.sh --dry-run",
    "const client = new Client({{\n  auth: '{key}',\n  timeout: 5000,\n}});",
    "The CI job prints this in the logs: `Using credential {key} for upload`. How do I hide it?",
    'Please convert this to Terraform:\nresource "x" {{ secret = "{key}" }}',
]

_PEM_TEMPLATES = [
    "ssh keeps saying 'invalid format' for this key, what's wrong?\n\n{key}\n",
    "Add this to the Kubernetes secret:\n\ntls.key: |\n{key}\n",
    '{{"type": "service_account", "private_key": "{key_escaped}", "client_id": "1049"}}',
    'PRIVATE_KEY="{key_escaped}"\nISSUER=ci-bot',
]

_AWS_TEMPLATES = [
    "[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\nregion = us-east-1",
    "s3 = boto3.client('s3', aws_access_key_id='{id}', aws_secret_access_key='{secret}')",
    "Access key ID,Secret access key\n{id},{secret}\n",
]

_PASSWORD_TEMPLATES = [
    "DATABASE_URL={url}\nREDIS_URL=redis://localhost:6379/0",
    "Can't connect: psql '{url}' says timeout. ideas?",
    "Server=sql-prod.corp.local;Database=orders;User Id=app;Password={password};",
    "db:\n  host: db.internal\n  user: reporting\n  password: {password}\n",
    "My password is {password} and I keep getting locked out, what should I do?",
]


def _secret_samples(keys: FakeKeys, rng: random.Random, per_family: int) -> Iterator[Sample]:
    for entity, make in FAMILIES.items():
        for i in range(per_family):
            value = make(keys)
            if entity == "PRIVATE_KEY":
                template = _PEM_TEMPLATES[i % len(_PEM_TEMPLATES)]
                escaped = value.replace("\n", "\\n")
                fields = {"key": (value, entity), "key_escaped": (escaped, entity)}
                yield _fill("secret:PRIVATE_KEY", template, fields)
                continue
            template = _SECRET_TEMPLATES[(i + len(entity)) % len(_SECRET_TEMPLATES)]
            yield _fill(f"secret:{entity}", template, {"key": (value, entity)})
    for i in range(per_family):
        template = _AWS_TEMPLATES[i % len(_AWS_TEMPLATES)]
        values = {
            "id": (keys.aws_access_key_id(), "AWS_ACCESS_KEY_ID"),
            "secret": (keys.aws_secret_access_key(), "AWS_SECRET_ACCESS_KEY"),
        }
        yield _fill("secret:aws_pair", template, values)
    for _ in range(per_family):
        conn = keys.azure_storage_connection_string()
        key = conn.split("AccountKey=")[1].split(";")[0]
        before, after = conn.split(key)
        yield (
            _Builder("secret:azure_conn")
            .add("Connection string for the blob store: ")
            .add(before)
            .add(key, "AZURE_CONNECTION_STRING")
            .add(after)
            .add("\nWhy is upload slow?")
            .build()
        )
    for i in range(per_family):
        template = _PASSWORD_TEMPLATES[i % len(_PASSWORD_TEMPLATES)]
        url, password = keys.url_with_credentials()
        if "{url}" in template:
            before, after = url.split(password, 1)
            head, tail = template.split("{url}")
            yield (
                _Builder("secret:url")
                .add(head + before)
                .add(password, "URL_CREDENTIALS")
                .add(after + tail)
                .build()
            )
        else:
            label = (
                "GENERIC_SECRET"
                if "password:" in template or "My password" in template
                else ("URL_CREDENTIALS")
            )
            yield _fill("secret:password", template, {"password": (password, label)})
    for _ in range(per_family):
        secret = keys.generic_secret()
        name = rng.choice(["SECRET_KEY", "client_secret", "webhook_token", "api_key", "authToken"])
        sep = rng.choice([" = ", ": ", "=", " => "])
        quote = rng.choice(["", '"', "'"])
        yield (
            _Builder("secret:generic")
            .add(f"settings:\n{name}{sep}{quote}")
            .add(secret, "GENERIC_SECRET")
            .add(f"{quote}\ntimeout = 30\n")
            .build()
        )
    yield from _evasions(keys, rng, per_family)


def _evasions(keys: FakeKeys, rng: random.Random, count: int) -> Iterator[Sample]:
    """Keys disguised: zero-width characters, homoglyphs, line breaks, base64, JSON escapes."""
    simple = ["OPENAI_API_KEY", "GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "STRIPE_KEY", "SLACK_TOKEN"]
    # Latin letters -> Cyrillic look-alikes.
    homoglyphs = dict(
        zip("aeopcxAK", "\u0430\u0435\u043e\u0440\u0441\u0445\u0410\u041a", strict=True)
    )
    for i in range(count):
        entity = simple[i % len(simple)]
        value = FAMILIES[entity](keys)
        mode = (i // len(simple)) % 5
        if mode == 0:  # zero-width characters sprinkled inside
            chars = list(value)
            for _ in range(3):
                chars.insert(
                    rng.randrange(1, len(chars)), rng.choice(["\u200b", "\u200d", "\u2060"])
                )
            disguised = "".join(chars)
        elif mode == 1:  # Cyrillic look-alikes
            disguised = "".join(homoglyphs.get(c, c) if rng.random() < 0.5 else c for c in value)
        elif mode == 2:  # broken across lines
            cut = rng.randrange(len(value) // 3, 2 * len(value) // 3)
            disguised = value[:cut] + "\n" + value[cut:]
        elif mode == 3:  # base64-encoded
            disguised = base64.b64encode(f"token={value}".encode()).decode()
        else:  # fullwidth forms
            disguised = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)
        yield (
            _Builder(f"evasion:{mode}:{entity}")
            .add("use this one: ")
            .add(disguised, entity)
            .add(" (don't share)")
            .build()
        )


# --- personal data ------------------------------------------------------------------------

_PII_TEMPLATES = [
    "Draft a polite reply to {person} ({email}) who called from {phone} about a refund to "
    "card {card}.",
    "Customer record\nName: {person}\nEmail: {email}\nPhone: {phone}\nSSN: {ssn}\n"
    "IBAN: {iban}\nNotes: prefers email",
    "Summarise this ticket: {person} from {org} in {location} says the invoice sent to "
    "{email} was wrong. Wire the difference to {iban}.",
    "Meeting notes: {person} and {person2} met with {org} in {location}. Action: "
    "{person2} to call {phone} by Friday.",
    "name,email,phone\n{person},{email},{phone}\n{person2},{email2},{phone2}\n",
    "Login failures from {ip} for user {email} between 02:00 and 03:00. Is this an attack?",
    "Hi, I'm {person}, my social security number is {ssn} and I need help filling in the W-4 form.",
    "Translate to German: Dear {person}, your new card {card} has been sent to your address "
    "in {location}.",
    'nginx log:\n{ip} - - [12/Mar/2025:10:01:22 +0000] "GET /admin HTTP/1.1" 403 153\n'
    '{ip2} - - [12/Mar/2025:10:01:23 +0000] "GET /login HTTP/1.1" 200 512',
    "Write a LinkedIn recommendation for {person}, who worked with me at {org} in "
    "{location} for three years.",
    "Please check the payroll export: employee {person}, SSN {ssn}, paid into {iban}.",
    "Can you find the bug? send_sms(to='{phone}', body='Your code is 4921') fails for {person}.",
]


def _pii_values(
    fake: Faker, locale_fakes: list[Faker], rng: random.Random
) -> dict[str, tuple[str, str | None]]:
    other = rng.choice(locale_fakes)
    card = fake.credit_card_number()
    if rng.random() < 0.5 and len(card) == 16:
        sep = rng.choice([" ", "-"])
        card = sep.join(card[i : i + 4] for i in range(0, 16, 4))
    iban = other.iban()
    if rng.random() < 0.5:
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    # en_US and fr_FR city names are invented ("East Jessicaview"); de_DE's are real towns.
    location = rng.choice([fake.state(), fake.country(), locale_fakes[1].city()])
    return {
        "person": (rng.choice([fake, other]).name(), "PERSON"),
        "person2": (fake.name(), "PERSON"),
        "email": (fake.email(), "EMAIL_ADDRESS"),
        "email2": (fake.company_email(), "EMAIL_ADDRESS"),
        "phone": (rng.choice([fake, fake, other]).phone_number(), "PHONE_NUMBER"),
        "phone2": (fake.phone_number(), "PHONE_NUMBER"),
        "card": (card, "CREDIT_CARD"),
        "iban": (iban, "IBAN_CODE"),
        "ssn": (fake.ssn(), "US_SSN"),
        "ip": (fake.ipv4_public(), "IP_ADDRESS"),
        "ip2": (rng.choice([fake.ipv4_private(), fake.ipv6()]), "IP_ADDRESS"),
        "org": (fake.company(), "ORGANIZATION"),
        "location": (location, "LOCATION"),
    }


def _pii_samples(
    fake: Faker, locale_fakes: list[Faker], rng: random.Random, count: int
) -> Iterator[Sample]:
    for i in range(count):
        template = _PII_TEMPLATES[i % len(_PII_TEMPLATES)]
        yield _fill(
            f"pii:{i % len(_PII_TEMPLATES)}", template, _pii_values(fake, locale_fakes, rng)
        )


# --- negatives ----------------------------------------------------------------------------


def _png_base64(rng: random.Random) -> str:
    raw = bytes(rng.randrange(256) for _ in range(rng.randint(300, 1200)))
    body = b"\x89PNG\r\n\x1a\n" + zlib.compress(raw)
    return base64.b64encode(body).decode()


_CODE_SNIPPETS = [
    'import os\n\nAPI_KEY = os.environ["OPENAI_API_KEY"]\ntoken = get_token()\n'
    'password = os.getenv("DB_PASSWORD")\nclient = Client(api_key=API_KEY)\n',
    "def authenticate(self, request):\n    token = request.headers.get('Authorization')\n"
    "    if not token:\n        raise PermissionDenied('missing token')\n"
    "    return self.verify(token)\n",
    "const secret = process.env.JWT_SECRET;\nconst key = `${prefix}:${id}`;\n"
    "cache.set(key, value, { ttl: 3600 });\n",
    "for (let i = 0; i < items.length; i++) {\n  const item = items[i];\n  total += item.price * "
    "item.quantity;\n}\nreturn total.toFixed(2);\n",
    "SELECT user_id, COUNT(*) AS orders FROM orders WHERE created_at > NOW() - INTERVAL '30 days'"
    " GROUP BY user_id ORDER BY orders DESC LIMIT 10;",
    "# Replace with your own key\nOPENAI_API_KEY=sk-your-key-here\n"
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/"
    "bPxRfiCYEXAMPLEKEY\nGITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    "DATABASE_URL=postgres://user:password@localhost:5432/app\n"
    "REDIS_URL=redis://:${REDIS_PASSWORD}@cache:6379\npassword: ********\n",
    "class TokenBucket:\n    def __init__(self, rate: float, capacity: int) -> None:\n"
    "        self.rate = rate\n        self.capacity = capacity\n        self.tokens = capacity\n",
    "api_key: str = Field(..., description=\"The API key\")\nsecret_name = 'prod/db/password'\n"
    "auth_url = 'https://login.example.com/oauth2/token'\n",
    'curl https://api.example.com/v1/me -H "Authorization: Bearer $API_TOKEN"\n'
    "curl https://api.example.com/v1/me -H 'Authorization: Bearer {{token}}'\n"
    "# Authorization: Bearer YOUR_API_KEY\n",
    'role_arn = "arn:aws:iam::123456789012:role/deploy"\nbucket = "s3://logs-prod/2025/"\n'
    'aws_region = "eu-central-1"\nsession_token_ttl = 3600\n',
    "git clone https://github.com/acme/widgets.git\ngit remote add origin "
    "https://deploy@github.com/acme/widgets.git\nprimary_key = True\nKEY_LENGTH = 2048\n",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYWnm8DqT3eX8x5I+rV0cFp3Q8bLq\n"
    "8f1nW1m2vG8Hq0dJ9y7X3mK5T2pA4sD6fG8hJ0kL2zX4cV6bN8mQ1wE3rT==\n-----END PUBLIC KEY-----\n",
    "password_reset_token_expiry = 3600\nmax_token_length = 4096\nsort_key = lambda item: "
    "item.price\ntoken_count = len(tokens)\n",
]


def _ssh_public_key(rng: random.Random) -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00 " + bytes(
        rng.randrange(256) for _ in range(32)
    )
    return base64.b64encode(blob).decode()


def _negative_samples(fake: Faker, rng: random.Random, count: int) -> Iterator[Sample]:
    makers: list[Callable[[], str]] = [
        lambda: (
            f"Request {uuid.UUID(int=rng.getrandbits(128))} failed; retry with idempotency "
            f"key {uuid.UUID(int=rng.getrandbits(128))}."
        ),
        lambda: (
            f"commit {rng.getrandbits(160):040x}\nAuthor: build-bot\n\n    Fix flaky test\n"
            f"\nMerge: {rng.getrandbits(28):07x} {rng.getrandbits(28):07x}"
        ),
        lambda: (
            "requests==2.32.3 \\\n    --hash=sha256:"
            + hashlib.sha256(str(rng.random()).encode()).hexdigest()
        ),
        lambda: (
            f"sha256sum release.tar.gz\n{hashlib.sha256(str(rng.random()).encode()).hexdigest()}"
            "  release.tar.gz"
        ),
        lambda: f"What is in this image? ![chart](data:image/png;base64,{_png_base64(rng)})",
        lambda: rng.choice(_CODE_SNIPPETS),
        lambda: " ".join(fake.sentences(nb=rng.randint(3, 8))),
        lambda: (
            f"The build {rng.randint(1000, 9999)} took {rng.randint(2, 59)} minutes; the "
            f"cache key was {hashlib.md5(str(rng.random()).encode()).hexdigest()[:12]}."
        ),
        lambda: (
            f'etag: "{hashlib.sha1(str(rng.random()).encode()).hexdigest()}"\n'
            f"x-request-id: {uuid.UUID(int=rng.getrandbits(128))}"
        ),
        lambda: (
            f"docker pull registry.example.com/app@sha256:"
            f"{hashlib.sha256(str(rng.random()).encode()).hexdigest()}"
        ),
    ]
    for i in range(count):
        yield Sample(f"negative:{i % len(makers)}", makers[i % len(makers)]())


# Credentials by context, in the forms people paste; {p} is the password, the rest must stay.
_CONTEXT_TEMPLATES = [
    "mysql -h db -u app -p{p} orders < dump.sql",
    "docker login registry.acme.io -u bot -p '{p}'",
    "curl -u admin:{p} https://api.acme.io/v1/me",
    "mongosh --host db --username app --password {p}",
    "redis-cli -h cache -a '{p}' ping",
    "spring.datasource.password={p}\nspring.datasource.username=app",
    "export DB_PASSWORD='{p} {p}'",
    '<add key="PartnerApiKey" value="{p}"/>',
    "<connection>\n  <password>{p}</password>\n</connection>",
    'psql "host=db user=app password={p}"',
]
# The same forms without a credential in them.
_CONTEXT_NEGATIVES = [
    "docker run -p 8080:80 -p 127.0.0.1:9090:90 nginx",
    "ssh -p 2222 deploy@bastion\nmkdir -p src/App2-Core",
    "mysqldump -p /etc/mysql/Client2-config.cnf",
    "docker login --password-stdin --username bot < token.txt",
    "tool --password-file /run/secrets/Db2-pass --token-type bearer",
    "env:\n  password: ${{ secrets.DB_PASSWORD }}\n  token_type: bearer\n  verify: true",
    "password=\nremember_password: true",
    "Please reset the password for the user and rotate the API token by Friday.",
    '<add key="CacheSeconds" value="3600"/>',
    "pytest -p no:cacheprovider -q\ndocker run -u 1000:1000 app",
]


def _context_samples(seed: int) -> Iterator[Sample]:
    keys = FakeKeys(seed)
    for i, template in enumerate(_CONTEXT_TEMPLATES * 3):
        value = f"{keys.password()}-Zq.{i}"
        head, tail = template.split("{p}", 1)
        builder = _Builder(f"secret:context:{i % len(_CONTEXT_TEMPLATES)}").add(head)
        builder.add(value, "GENERIC_SECRET")
        while "{p}" in tail:
            middle, tail = tail.split("{p}", 1)
            builder.add(middle).add(value, "GENERIC_SECRET")
        yield builder.add(tail).build()
    for i, text in enumerate(_CONTEXT_NEGATIVES):
        yield Sample(f"negative:context:{i}", text)


def build_corpus(
    seed: int = 4, *, per_family: int = 30, pii: int = 240, negatives: int = 300
) -> list[Sample]:
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    locale_fakes = [Faker(loc) for loc in ("en_GB", "de_DE", "fr_FR")]
    for i, f in enumerate(locale_fakes):
        f.seed_instance(seed + i + 1)
    keys = FakeKeys(seed)
    return [
        *_secret_samples(keys, rng, per_family),
        *_pii_samples(fake, locale_fakes, rng, pii),
        *_negative_samples(fake, rng, negatives),
        *_context_samples(seed + 100),
    ]


def build_long_corpus(seed: int = 5, documents: int = 3, size: int = 50_000) -> list[Sample]:
    """Long pastes (meeting transcripts) with a name every few hundred characters: what the
    NER budget (warden/dlp/recognizers/ner.py, MAX_CHARS) costs in recall."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    samples = []
    for d in range(documents):
        builder = _Builder(f"long:{d}")
        builder.add("Transcript of the weekly customer review. Summarise the action items.\n\n")
        while builder.length < size:
            builder.add(f"{fake.time()} ").add(fake.name(), "PERSON").add(": ")
            builder.add(" ".join(fake.sentences(nb=4)) + "\n")
        samples.append(builder.build())
    return samples
