"""Checks on the phrase libraries (`replybook phrases lint`): what would confuse an agent typing a
code in Qianniu, or what a supervisor would want to tidy before exporting team.csv."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session

from replybook.store.models import Phrase, PhraseScope
from replybook.store.normalize import fold_code

from .core import check_scope, library_name

# Not a Qianniu limit: a phrase longer than this is hard to read in a chat window. Configurable.
DEFAULT_MAX_LENGTH = 300
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class LintFinding:
    """One finding. ``kind``: collision, unfolded, shadow, prefix, ungrouped, too_long, duplicate_text."""

    kind: str
    severity: str
    library: str
    codes: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.library}：{self.message}"


def _shown(codes: list[str], limit: int = 10) -> str:
    return "、".join(codes[:limit]) + (f" 等 {len(codes)} 个" if len(codes) > limit else "")


def lint_phrases(
    session: Session,
    *,
    max_length: int = DEFAULT_MAX_LENGTH,
    scope: str | None = None,
    owner: str | None = None,
) -> list[LintFinding]:
    """Every finding in the chosen libraries (all of them by default), errors first.

    Errors: two codes that fold to the same code in one library (collision), a code stored unfolded.
    Warnings: a personal code shadowing a team code, a code that is a prefix of another code the same
    agent can type, ungrouped phrases, phrases over ``max_length`` characters, the same text under two
    codes of one library.
    """
    if max_length < 1:
        from replybook.store.errors import InvalidValue

        raise InvalidValue("--max-length 至少为 1")
    libraries: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    c = Phrase.metadata.tables["phrase"].c
    for s, o, code, text, group in session.execute(sa_select(c.scope, c.owner, c.code, c.text, c.group_name)):
        libraries[(s, o)].append((code, text, group))
    team_codes = {code for code, _, _ in libraries.get((PhraseScope.TEAM, ""), [])}
    if scope:
        wanted = check_scope(scope)
        libraries = defaultdict(list, {k: v for k, v in libraries.items() if k[0] == wanted})
    if owner:
        libraries = defaultdict(list, {k: v for k, v in libraries.items() if k[1] == owner.strip()})
    found: list[LintFinding] = []
    for (s, o), rows in sorted(libraries.items(), key=lambda kv: (kv[0][0] != PhraseScope.TEAM, kv[0])):
        name = library_name(s, o)
        found += _codes(name, [code for code, _, _ in rows])
        if s == PhraseScope.PERSONAL:
            shadows = sorted(code for code, _, _ in rows if code in team_codes)
            if shadows:
                found.append(
                    LintFinding(
                        "shadow", WARNING, name, tuple(shadows),
                        f"{len(shadows)} 个个人编码与团队编码同名，会遮住团队短语：{_shown(shadows)}",
                    )
                )  # fmt: skip
        found += _prefixes(
            name, [code for code, _, _ in rows], team_codes if s == PhraseScope.PERSONAL else set()
        )
        found += _texts(name, rows, max_length)
    found.sort(key=lambda f: f.severity != ERROR)
    return found


def _codes(name: str, codes: list[str]) -> list[LintFinding]:
    found: list[LintFinding] = []
    by_folded: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        by_folded[fold_code(code)].append(code)
        if fold_code(code) != code:
            found.append(
                LintFinding(
                    "unfolded",
                    ERROR,
                    name,
                    (code,),
                    f"编码 {code!r} 未转成半角小写（应为 {fold_code(code)}）",
                )
            )
    for folded, same in sorted(by_folded.items()):
        if len(same) > 1:
            found.append(
                LintFinding(
                    "collision", ERROR, name, tuple(same), f"编码 {'、'.join(same)} 实际相同（{folded}）"
                )
            )
    return found


def _prefixes(name: str, codes: list[str], team_codes: set[str]) -> list[LintFinding]:
    """Codes that begin another code: typing the short one also offers the long one. For a personal
    library the team codes count too (the agent sees both), but team-only pairs are the team's finding."""
    own = set(codes)
    ordered = sorted(own | team_codes)
    found: list[LintFinding] = []
    for i, short in enumerate(ordered):
        longer = []
        j = i + 1  # sorted, so the codes that begin with ``short`` follow it directly
        while j < len(ordered) and ordered[j].startswith(short):
            if short in own or ordered[j] in own:
                longer.append(ordered[j])
            j += 1
        if longer:
            found.append(
                LintFinding(
                    "prefix", WARNING, name, (short, *longer),
                    f"编码 {short} 是 {_shown(longer)} 的开头，输入 {short} 时会同时出现",
                )
            )  # fmt: skip
    return found


def _texts(name: str, rows: list[tuple[str, str, str]], max_length: int) -> list[LintFinding]:
    found: list[LintFinding] = []
    ungrouped = sorted(code for code, _, group in rows if not group.strip())
    if ungrouped:
        found.append(
            LintFinding(
                "ungrouped",
                WARNING,
                name,
                tuple(ungrouped),
                f"{len(ungrouped)} 条短语没有分组：{_shown(ungrouped)}",
            )
        )
    for code, text, _group in sorted(rows):
        if len(text) > max_length:
            found.append(
                LintFinding(
                    "too_long",
                    WARNING,
                    name,
                    (code,),
                    f"编码 {code} 的短语有 {len(text)} 字，超过 {max_length} 字",
                )
            )
    by_text: dict[str, list[str]] = defaultdict(list)
    for code, text, _group in rows:
        by_text[" ".join(text.split())].append(code)
    for text, codes in sorted(by_text.items(), key=lambda kv: sorted(kv[1])):
        if len(codes) > 1:
            codes.sort()
            preview = text if len(text) <= 20 else text[:20] + "……"
            found.append(
                LintFinding(
                    "duplicate_text",
                    WARNING,
                    name,
                    tuple(codes),
                    f"编码 {'、'.join(codes)} 的内容相同：{preview}",
                )
            )
    return found
