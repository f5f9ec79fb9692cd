"""What every readiness check answers: pass / warn / fail, a detail line and the offending items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass
class CheckResult:
    name: str
    title: str
    status: str
    detail: str
    items: list[str] = field(default_factory=list)
    # The coverage item's uncovered groups, for the teach buttons: {"questions", "candidates"}.
    teach: list[dict[str, Any]] = field(default_factory=list)
