# The two commands in the README: `make run` and `make test`. Each installs what it needs.
.PHONY: run test test-fast lint bench setup

setup:
	@./scripts/bootstrap.sh

run: setup
	.venv/bin/warden run $(ARGS)

# These machines set PYTHONDONTWRITEBYTECODE: then every process (each test worker, each
# `warden run` a test starts) compiles Warden's modules and re-rewrites the test modules anew.
# The caches go to __pycache__ (ignored by git).
unexport PYTHONDONTWRITEBYTECODE

# Test processes in parallel, whole files to a worker (a module shares its proxy). More
# workers than cores: most of an end-to-end test is waiting on proxies and sockets.
TEST_WORKERS ?= 4

test:
	@./scripts/bootstrap.sh test
	.venv/bin/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The unit tier: everything but the end-to-end tests, which start real proxies and browsers.
# Three workers, a test at a time to each: the unit tests share no proxy, and a third worker
# keeps the cores busy while others wait on timeouts and subprocesses (99 s against 113 s).
test-fast: setup
	.venv/bin/python -m pytest -n 3 --dist load --ignore=tests/e2e -q $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check warden addons dashboard benchmarks tests
	.venv/bin/ruff format --check warden addons dashboard benchmarks tests
	.venv/bin/mypy warden addons dashboard

bench: setup
	.venv/bin/python -m benchmarks.proxy_overhead $(ARGS)
