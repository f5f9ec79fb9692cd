"""Would this question reach a person (转人工), and why (SPEC §8b)?

In 半自动 every question is sent by an agent (the bot only suggests). In 全自动 the bot answers alone
unless one of the transfer rules applies, checked in this order:

1. a transfer keyword is in the question (人工, 投诉, 12315 …): the buyer asked for a person;
2. the matched entry, or its category, is marked high-risk: never answered by the bot alone;
3. the bot cannot answer (uncovered): after ``unanswered_limit`` such questions in a row Qianniu hands
   the buyer over, so every uncovered question is counted as one hand-off (the buyer asks again until
   the limit is reached);
4. the best two entries are too close to tell apart (ambiguous): the bot may answer wrongly, so a
   person takes it.

Outside the service hours (no shift on duty) the bot answers alone and the hand-off waits for the
next shift. A shop without shifts has no service hours to judge by: nothing waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from replybook.bot.settings import BotConfig, Shift
from replybook.store.normalize import normalise
from replybook.store.timeutil import to_shop

REASONS = {
    "semi_auto": "半自动",
    "keyword": "转人工关键词",
    "high_risk": "高风险",
    "uncovered": "未覆盖",
    "ambiguous": "有歧义",
}


@dataclass(frozen=True)
class Handoff:
    """The decision for one question: ``to_person`` with its ``code`` and a sentence saying why;
    ``waits_until`` is when the next shift starts, for a hand-off outside the service hours."""

    to_person: bool
    code: str | None
    reason: str
    waits_until: datetime | None = None

    @property
    def verdict(self) -> str:
        if not self.to_person:
            return "机器人回答，不转人工"
        if self.waits_until is not None:
            return f"转人工（{REASONS[self.code or '']}），非值班时间：等到 {to_shop(self.waits_until):%m-%d %H:%M} 客服上班"
        return f"转人工（{REASONS[self.code or '']}）"

    def to_json(self) -> dict[str, object]:
        return {
            "to_person": self.to_person,
            "reason_code": self.code,
            "reason_name": REASONS.get(self.code or ""),
            "reason": self.reason,
            "verdict": self.verdict,
            "waits_until": to_shop(self.waits_until).isoformat() if self.waits_until else None,
        }


def transfer_keyword(config: BotConfig, question: str) -> str | None:
    """The first transfer keyword the question contains (compared in normal form), or None."""
    text = normalise(question)
    for word in config.transfer_keywords:
        folded = normalise(word) or word
        if folded and folded in text:
            return word
    return None


def _decide(
    config: BotConfig, question: str, status: str, category: str | None, entry: str | None
) -> Handoff:
    if not config.full_auto:
        return Handoff(True, "semi_auto", "半自动模式：机器人只给客服提示答案，由客服发送")
    word = transfer_keyword(config, question)
    if word is not None:
        return Handoff(True, "keyword", f"问题里有转人工关键词“{word}”")
    if status != "uncovered" and entry is not None and entry in config.high_risk_entries:
        return Handoff(True, "high_risk", f"命中的问答“{entry}”标为高风险，全自动下也由客服回答")
    if status != "uncovered" and category is not None and category in config.high_risk_categories:
        return Handoff(True, "high_risk", f"命中问答的分类（{category}）标为高风险，全自动下也由客服回答")
    if status == "uncovered":
        return Handoff(
            True,
            "uncovered",
            f"机器人答不上；连续 {config.unanswered_limit} 次答不上就转人工",
        )
    if status == "ambiguous":
        return Handoff(True, "ambiguous", "两条问答分数太接近，机器人可能答错，转给客服")
    return Handoff(False, None, "全自动：机器人直接回答")


def decide(
    config: BotConfig,
    *,
    question: str,
    status: str,
    category: str | None,
    entry: str | None,
    at: datetime | None = None,
) -> Handoff:
    """The decision for ``question`` whose match was ``status`` (covered / ambiguous / uncovered) on
    ``entry`` of ``category`` (a key); ``at`` (optional) decides whether a hand-off waits."""
    result = _decide(config, question, status, category, entry)
    if result.to_person and at is not None and config.shifts and not on_duty(config, at):
        return Handoff(True, result.code, result.reason, next_shift_start(config, at))
    return result


def on_duty(config: BotConfig, at: datetime) -> list[Shift]:
    """The shifts working at ``at`` (shop time)."""
    local = to_shop(at)
    minute = local.hour * 60 + local.minute
    return [s for s in config.shifts if s.on_duty(minute)]


def next_shift_start(config: BotConfig, at: datetime) -> datetime | None:
    """The first moment after ``at`` when a shift starts (within a day), or None without shifts."""
    local = to_shop(at).replace(second=0, microsecond=0)
    for step in range(1, 24 * 60 + 1):
        moment = local + timedelta(minutes=step)
        if on_duty(config, moment):
            return moment
    return None
