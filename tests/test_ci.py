"""The project's own promises about how it is tested: the README's two commands, .ci/run, the clock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from replybook.store import timeutil
from tests.conftest import REPO


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(python3\.11 -m venv [^\n]+)\n```", text)


def test_the_readme_test_command_uses_its_own_environment() -> None:
    demo, tests = _readme_commands()[:2]
    venv_of = [re.match(r"python3\.11 -m venv (\S+)", c).group(1) for c in (demo, tests)]  # type: ignore[union-attr]
    assert venv_of[0] != venv_of[1], "the test command would reinstall the demo's environment under it"
    assert "pip install ." in demo and "pip install -e '.[test]'" in tests
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert demo in makefile and tests in makefile  # `make demo` / `make test` are the same commands
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests.split(" && ")[0] in ci and f"{venv_of[1]}/bin/pytest" in ci


def test_ci_runs_lint_even_when_pytest_fails() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert not re.search(r"^set -[a-z]*e", ci, re.M), "set -e would stop at the first failing step"
    for check in ("ruff check", "ruff format --check", "mypy replybook"):
        line = next(line for line in ci.splitlines() if check in line)
        assert line.lstrip().startswith("step "), f"{check} must run through step (report all, then fail)"
    # The step helper itself: a failing step is remembered and the next one still runs.
    script = ci.split("failed=()", 1)[1].split("# The README", 1)[0]
    probe = f"failed=(){script}\nstep one false\nstep two true\necho ${{failed[@]}}"
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "one" and "::: two" in out


def test_ci_runs_the_suite_at_night_and_in_the_day_in_both_time_zones() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    runs = re.findall(r"TZ=(\S+) REPLYBOOK_TEST_NOW=(\S+) \.venv-test/bin/pytest", ci)
    zones = {zone for zone, _ in runs}
    hours = {datetime.fromisoformat(moment).hour for _, moment in runs}
    assert zones == {"UTC", "Asia/Shanghai"}
    assert any(h < 8 for h in hours) and any(9 <= h < 16 for h in hours)


@pytest.mark.parametrize(
    ("fixed", "utc", "shop_day"),
    [
        ("2026-12-02T04:30:00+08:00", datetime(2026, 12, 1, 20, 30, tzinfo=UTC), date(2026, 12, 2)),
        ("2026-12-02T11:00:00+08:00", datetime(2026, 12, 2, 3, 0, tzinfo=UTC), date(2026, 12, 2)),
        ("2026-11-30T23:59:00+00:00", datetime(2026, 11, 30, 23, 59, tzinfo=UTC), date(2026, 12, 1)),
    ],
)
def test_the_core_clock_honours_the_test_clock(fixed: str, utc: datetime, shop_day: date) -> None:
    """A child process, so this test's setting never leaks into another test's clock."""
    code = "from replybook.store import timeutil; print(timeutil.now().isoformat(), timeutil.today_shop())"
    env = {**os.environ, timeutil.TEST_NOW_ENV: fixed, "TZ": "UTC"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [utc.isoformat(), shop_day.isoformat()]


def test_the_test_clock_needs_an_offset() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        timeutil._fixed("2026-12-02T04:30:00")
