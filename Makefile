# The README's two commands, and the checks CI runs.
.PHONY: demo test lint

demo:
	python3.11 -m venv .venv && .venv/bin/pip install . && .venv/bin/replybook demo

test:
	python3.11 -m venv .venv-test && .venv-test/bin/pip install -e '.[test]' && .venv-test/bin/pytest

lint:
	.venv-test/bin/ruff check replybook cli tests benchmarks
	.venv-test/bin/ruff format --check replybook cli tests benchmarks
	.venv-test/bin/mypy replybook
