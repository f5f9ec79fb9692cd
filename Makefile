# The README's two commands, and the checks CI runs.
.PHONY: demo test lint

demo:
	python3.11 -m venv .venv && .venv/bin/pip install . && .venv/bin/replybook demo

test:
	python3.11 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest

lint:
	.venv/bin/ruff check replybook cli tests benchmarks
	.venv/bin/ruff format --check replybook cli tests benchmarks
	.venv/bin/mypy replybook
