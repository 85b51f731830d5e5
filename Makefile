# The two commands in the README: `make run` and `make test`. Each installs what it needs.
.PHONY: run test test-fast lint bench setup

setup:
	@./scripts/bootstrap.sh

run: setup
	.venv/bin/warden run $(ARGS)

test:
	@./scripts/bootstrap.sh test
	.venv/bin/python -m pytest $(PYTEST_ARGS)

# The unit tier: everything but the end-to-end tests, which start real proxies and browsers.
test-fast: setup
	.venv/bin/python -m pytest --ignore=tests/e2e -q $(PYTEST_ARGS)

lint: setup
	.venv/bin/ruff check warden addons dashboard benchmarks tests
	.venv/bin/ruff format --check warden addons dashboard benchmarks tests
	.venv/bin/mypy warden addons dashboard

bench: setup
	.venv/bin/python -m benchmarks.proxy_overhead $(ARGS)
