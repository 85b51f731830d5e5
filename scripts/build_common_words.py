"""Rebuild warden/dlp/data/common_words.txt, the words that are not a person's surname.

Sources:
- the English word list of Faker's lorem provider (faker.providers.lorem.en_US, MIT
  licence): about 970 of the most common English words;
- TECHNICAL below, written by hand from the attack review of the name recognizers (GitHub
  Actions step names, CSV fixtures, git commands): software, CI and business words that
  follow a given name in code ("Mark Stale Issues", "Grace Hopper Bot", "jordan main").

A word that is also a surname in Faker's last-name lists ("white", "young", "park",
"branch") is written with a tab and "surname" after it: it does not stop a name after an
unambiguous Title-case given name ("John White"), but does after a word-like given name
(Mark, Grace) and in lower case.

  .venv/bin/python scripts/build_common_words.py
"""

from __future__ import annotations

from pathlib import Path

import faker
from faker import Faker
from faker.providers.lorem.en_US import Provider as Lorem

OUT = Path(__file__).resolve().parent.parent / "warden" / "dlp" / "data" / "common_words.txt"
SURNAME_LOCALES = ("en_US", "en_GB", "en_IE", "de_DE", "fr_FR", "nl_NL", "es_ES", "en_IN")
TECHNICAL = [
    "action",
    "actions",
    "admin",
    "administrator",
    "agent",
    "alert",
    "alerts",
    "api",
    "app",
    "apps",
    "archive",
    "artifact",
    "artifacts",
    "assets",
    "audit",
    "auth",
    "automation",
    "backend",
    "backup",
    "bot",
    "bots",
    "branch",
    "branches",
    "bucket",
    "bug",
    "bugs",
    "build",
    "builder",
    "builds",
    "bump",
    "cache",
    "check",
    "checkout",
    "checks",
    "chore",
    "ci",
    "cd",
    "cleanup",
    "cli",
    "client",
    "cloud",
    "cluster",
    "code",
    "commit",
    "commits",
    "config",
    "configure",
    "container",
    "containers",
    "cron",
    "dashboard",
    "data",
    "database",
    "debug",
    "demo",
    "deploy",
    "deployment",
    "dev",
    "developer",
    "developers",
    "devops",
    "docker",
    "docs",
    "documentation",
    "domain",
    "dummy",
    "endpoint",
    "engine",
    "engineering",
    "env",
    "environment",
    "example",
    "fixture",
    "fixtures",
    "feature",
    "features",
    "fix",
    "frontend",
    "gateway",
    "generator",
    "git",
    "github",
    "gitlab",
    "guest",
    "helm",
    "hook",
    "hooks",
    "image",
    "images",
    "infra",
    "install",
    "integration",
    "issue",
    "issues",
    "job",
    "jobs",
    "kafka",
    "key",
    "keys",
    "kubernetes",
    "lab",
    "label",
    "labels",
    "lambda",
    "lint",
    "linter",
    "local",
    "logs",
    "main",
    "manager",
    "master",
    "merge",
    "metrics",
    "migration",
    "mock",
    "module",
    "monitor",
    "monitoring",
    "node",
    "nightly",
    "ops",
    "operations",
    "pipeline",
    "pipelines",
    "platform",
    "plugin",
    "pod",
    "pr",
    "preview",
    "prod",
    "production",
    "proxy",
    "publish",
    "pull",
    "push",
    "queue",
    "readme",
    "relations",
    "release",
    "releases",
    "repo",
    "repository",
    "review",
    "robot",
    "root",
    "run",
    "runner",
    "sandbox",
    "scan",
    "scanner",
    "scheduler",
    "script",
    "secret",
    "secrets",
    "security",
    "server",
    "service",
    "services",
    "setup",
    "sonar",
    "spec",
    "stage",
    "staging",
    "stale",
    "sync",
    "system",
    "task",
    "tasks",
    "team",
    "template",
    "tenant",
    "test",
    "tester",
    "tests",
    "token",
    "tool",
    "tools",
    "trigger",
    "update",
    "upload",
    "user",
    "users",
    "validate",
    "vault",
    "webhook",
    "worker",
    "workflow",
]


def main() -> None:
    words = {w.casefold() for w in Lorem.word_list if w.isalpha() and len(w) > 1} | set(TECHNICAL)
    surnames: set[str] = set()
    for locale in SURNAME_LOCALES:
        provider = Faker(locale).provider("faker.providers.person")
        for attr in ("last_names", "last_names_male", "last_names_female"):
            surnames |= {n.casefold() for n in getattr(provider, attr, None) or ()}
    header = (
        f"# Common English and technical words, from Faker {faker.VERSION} lorem en_US (MIT) "
        "and the hand-written list in\n# scripts/build_common_words.py; a tab and 'surname' "
        "marks a word that is also a surname.\n"
    )
    lines = [f"{w}\tsurname" if w in surnames else w for w in sorted(words)]
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {OUT}")


if __name__ == "__main__":
    main()
