"""One verdict per campaign: is the library ready for the questions customers will ask?

The coverage page's "按活动开始时间测试" and the campaign check (``readiness``) both judge a campaign's
question set with ``campaign_verdict``, so they can never disagree. With a count per question (次数,
from past chat logs) the share of customer messages answered is what matters — a rare question left
over weighs less than one asked hundreds of times — so the weighted figure decides; without counts the
two figures are the same. Both figures are always shown, under the same labels everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COVERAGE_LABEL = "按问题数覆盖率"
WEIGHTED_LABEL = "按次数加权覆盖率"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


@dataclass(frozen=True)
class CoverageVerdict:
    """A campaign's coverage figures against its target, and which of them decides."""

    coverage: float  # share of the questions covered
    weighted_coverage: float  # share of the times they were asked
    weighted: bool  # the question set carries 次数
    target: float  # a fraction: 0.9 means 90 %

    @property
    def measure(self) -> str:
        """The summary field that decides: ``weighted_coverage`` when there are counts."""
        return "weighted_coverage" if self.weighted else "coverage"

    @property
    def value(self) -> float:
        return self.weighted_coverage if self.weighted else self.coverage

    @property
    def reached(self) -> bool:
        return self.value >= self.target

    def figures(self) -> str:
        return f"{COVERAGE_LABEL} {_pct(self.coverage)}，{WEIGHTED_LABEL} {_pct(self.weighted_coverage)}"

    def describe(self) -> str:
        """One line for people, e.g. 按问题数覆盖率 50.0%，按次数加权覆盖率 90.0%（目标 ≥ 80%，按次数加权判定）：达到目标."""
        basis = "按次数加权判定" if self.weighted else "没有次数，两者相同"
        outcome = "达到目标" if self.reached else "未达到目标"
        return f"{self.figures()}（目标 ≥ {self.target * 100:g}%，{basis}）：{outcome}"

    def to_json(self) -> dict[str, Any]:
        return {
            "coverage": self.coverage,
            "weighted_coverage": self.weighted_coverage,
            "weighted": self.weighted,
            "measure": self.measure,
            "target": self.target,
            "reached": self.reached,
            "text": self.describe(),
        }


def campaign_verdict(summary: Mapping[str, Any], target: float) -> CoverageVerdict:
    """The verdict on a coverage report's ``summary`` (live or stored) for a campaign's ``target``."""
    total = int(summary.get("total", 0))
    weighted_total = int(summary.get("weighted_total", total))
    return CoverageVerdict(
        coverage=float(summary.get("coverage", 0.0)),
        weighted_coverage=float(summary.get("weighted_coverage", summary.get("coverage", 0.0))),
        # every count is ≥ 1, so the sum differs from the number of questions exactly when one is not 1
        weighted=weighted_total != total,
        target=target,
    )
