"""The library file's ``bot:`` section: the bot settings travel with the library (SPEC §8b), so a
backup or a second shop gets the mode, transfer rules and shifts too.

```yaml
bot:
  mode: 全自动
  transfer_keywords: [人工, 转人工, 投诉, 差评, '12315', 举报]
  unanswered_limit: 2
  high_risk_categories: []
  high_risk_entries: [退款多久到账]
  shifts:
    - {name: 白班, start: '08:30', end: '16:30', agents: [小美]}
  concurrency: 3
  handling_minutes: 2.0
  productivity: 0.8
```

Written only when the shop saved settings; read all-or-nothing with the rest of the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from sqlmodel import Session, select

from replybook import bot
from replybook.library.entries import list_categories
from replybook.store.errors import ImportFormatError, InvalidValue, Problem
from replybook.store.models import Entry
from replybook.store.normalize import normalise


def _clock(value: Any) -> Any:
    """YAML 1.1 reads an unquoted 08:30 as 510 (minutes, base 60): take it back as the time it was."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1440:
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


def read_bot_section(
    raw: Any, *, categories: Mapping[str, str], entries: Iterable[str], problems: list[Problem]
) -> bot.BotConfig | None:
    """The settings of a ``bot:`` section (None when the file has none); a problem is added, naming
    the field, when it does not read."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(
            Problem("bot", "应为映射（mode、transfer_keywords、shifts……，格式见 docs/formats.md）")
        )
        return None
    raw = dict(raw)
    if isinstance(raw.get("shifts"), list):
        raw["shifts"] = [
            {**s, "start": _clock(s.get("start")), "end": _clock(s.get("end"))}
            if isinstance(s, Mapping)
            else s
            for s in raw["shifts"]
        ]
    for key in ("transfer_keywords", "high_risk_entries", "high_risk_categories"):
        if isinstance(raw.get(key), list):
            raw[key] = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in raw[key]]
    try:
        config = bot.config_from_mapping(raw)
        return bot.settings.check_library_names(config, categories=categories, entries=entries)
    except InvalidValue as exc:
        problems.append(Problem("bot", str(exc)))
        return None


def plan_bot_settings(
    session: Session,
    raw: Any,
    *,
    removed: list[str],
    incoming: list[str],
    new_categories: dict[str, str],
    source: str,
) -> bot.BotConfig | None:
    """The ``bot:`` section of a file being imported, its high-risk names checked against the library
    as the import leaves it (entries ``removed`` gone, ``incoming`` there)."""
    gone = {normalise(q) for q in removed}
    kept = [e.question for e in session.exec(select(Entry)) if e.question_norm not in gone]
    categories = {c.key: c.name for c in list_categories(session)} | new_categories
    problems: list[Problem] = []
    config = read_bot_section(raw, categories=categories, entries=kept + incoming, problems=problems)
    if problems:
        raise ImportFormatError(source, problems)
    return config


def apply_bot_settings(session: Session, config: bot.BotConfig, *, user: str | None) -> None:
    """Store the file's settings (no new version when they are the ones already stored)."""
    current = bot.get_bot_settings(session)
    if current.version is None or current != config:
        bot.save_bot_settings(session, config=config, expected_version=current.version, user=user)


def _flow(value: Any) -> str:
    return yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1 << 30
    ).strip()


def bot_section_lines(config: bot.BotConfig) -> list[str]:
    """The section as the exporter writes it (deterministic; lists on one line, a shift a line)."""
    lines = ["bot:"]
    for key, value in bot.config_to_mapping(config).items():
        if key == "shifts" and value:
            lines.append("  shifts:")
            lines += [f"    - {_flow(shift)}" for shift in value]
        else:
            lines.append(f"  {key}: {_flow(value).removesuffix(chr(10) + '...')}")
    return lines
