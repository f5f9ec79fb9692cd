"""The shop's synonyms (同义词, issue 13), as 店小蜜 keeps them: a core word and its similar words, a
versioned list per shop (one row per group, ``store/models_synonyms.py``). The matcher replaces each
similar word by its core word on both sides of a match (``coverage/synonyms.py``).

The rules that keep the list meaningful, checked for one change and for a whole imported list alike:
a word is not empty and at most ``MAX_WORD`` characters; a core word is one group's only; a similar
word is in one group only and is never another group's core word (a chain 快件 → 件 → 快递 would
depend on the order of the replacements). Words compare by their normal form (case, full width,
traditional → simplified), so 顺丰 and 順豐 are the same word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from replybook.store import history
from replybook.store.errors import ConflictError, InvalidValue, NotFoundError
from replybook.store.models_synonyms import Synonym
from replybook.store.normalize import normalise
from replybook.store.resources import data_dir

MAX_WORD = 32
MAX_SIMILAR = 50  # similar words in one group


@dataclass(frozen=True)
class Group:
    """One group as read from a form, a file or a sheet (checked, not yet stored)."""

    word: str
    similar: tuple[str, ...]
    enabled: bool = True

    @property
    def key(self) -> str:
        return word_key(self.word)


def word_key(word: str) -> str:
    return normalise(word, simplify=True)


def split_words(text: str) -> list[str]:
    """Similar words typed in one field: one per line, or separated by 、，, ; or spaces."""
    for sep in "、，,；;\t ":
        text = text.replace(sep, "\n")
    return [w for w in (part.strip() for part in text.splitlines()) if w]


def make_group(word: Any, similar: Any, *, enabled: Any = True, where: str = "") -> Group:
    """A checked group: ``similar`` a list of words or one text (``split_words``). ``where`` starts
    each error (e.g. "synonyms 第 3 组：")."""
    word = "" if word is None else str(word).strip()
    if not word_key(word):
        raise InvalidValue(f"{where}核心词不能为空")
    if len(word) > MAX_WORD:
        raise InvalidValue(f"{where}核心词“{word[:MAX_WORD]}…”太长：最多 {MAX_WORD} 个字")
    if isinstance(similar, str):
        words = split_words(similar)
    elif isinstance(similar, Iterable):
        words = [str(w).strip() for w in similar if w is not None and str(w).strip()]
    else:
        raise InvalidValue(f"{where}“{word}”的同义词应是一个列表（或每行一个）")
    if not isinstance(enabled, bool):
        raise InvalidValue(f"{where}“{word}”的 enabled 应是 true 或 false")
    kept: dict[str, str] = {}
    for w in words:
        if not word_key(w):
            raise InvalidValue(f"{where}“{word}”有一个同义词是空的（只有标点或空格）")
        if len(w) > MAX_WORD:
            raise InvalidValue(f"{where}同义词“{w[:MAX_WORD]}…”太长：最多 {MAX_WORD} 个字")
        if word_key(w) == word_key(word):
            raise InvalidValue(f"{where}同义词“{w}”就是核心词本身")
        kept.setdefault(word_key(w), w)
    if not kept:
        raise InvalidValue(f"{where}“{word}”至少要有一个同义词")
    if len(kept) > MAX_SIMILAR:
        raise InvalidValue(f"{where}“{word}”的同义词太多：最多 {MAX_SIMILAR} 个")
    return Group(word=word, similar=tuple(kept.values()), enabled=enabled)


def check_groups(groups: Sequence[tuple[str, Group]]) -> None:
    """Refuse a list that breaks the rules above; ``groups`` are (label, group), the label naming
    the group in the error (``#12 快递``, ``第 3 组 快递``)."""
    cores: dict[str, str] = {}
    for label, g in groups:
        if g.key in cores:
            raise ConflictError(f"核心词“{g.word}”重复：{cores[g.key]} 和 {label}")
        cores[g.key] = label
    similar_of: dict[str, str] = {}
    for label, g in groups:
        for w in g.similar:
            k = word_key(w)
            if k in cores:
                raise ConflictError(
                    f"“{w}”既是 {cores[k]} 的核心词，又是 {label} 的同义词：一个词只能在一组里"
                )
            if k in similar_of:
                raise ConflictError(f"同义词“{w}”同时在 {similar_of[k]} 和 {label} 里：一个词只能在一组里")
            similar_of[k] = label


def _label(item: Synonym) -> str:
    return f"#{item.id} {item.word}"


# ---------------------------------------------------------------- reading


def list_synonyms(session: Session) -> list[Synonym]:
    """The shop's groups, oldest first."""
    return list(session.exec(select(Synonym).order_by(col(Synonym.id))))


def get_synonym(session: Session, synonym_id: int) -> Synonym:
    item = session.get(Synonym, synonym_id)
    if item is None:
        raise NotFoundError(f"没有编号为 {synonym_id} 的同义词")
    return item


def find_synonym(session: Session, word: str) -> Synonym:
    """A group by ``#id`` or by its core word."""
    text = word.strip()
    if text.startswith("#") and text[1:].isdigit():
        return get_synonym(session, int(text[1:]))
    item = session.exec(select(Synonym).where(Synonym.word_key == word_key(text))).first()
    if item is None:
        raise NotFoundError(f"没有核心词为“{text}”的同义词")
    return item


def group_of(item: Synonym) -> Group:
    return Group(word=item.word, similar=tuple(item.similar_words), enabled=item.enabled)


def synonym_public(item: Synonym) -> dict[str, Any]:
    return {
        "id": item.id,
        "word": item.word,
        "similar": list(item.similar_words),
        "enabled": item.enabled,
        "version": item.version,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
        "updated_by": item.updated_by,
    }


# ---------------------------------------------------------------- one change


def add_synonym(
    session: Session, *, word: Any, similar: Any, enabled: Any = True, user: str | None = None
) -> Synonym:
    """A new group (one versioned change)."""
    group = make_group(word, similar, enabled=enabled)
    check_groups(
        [*((_label(i), group_of(i)) for i in list_synonyms(session)), (f"新的一组 {group.word}", group)]
    )
    item = Synonym(
        word=group.word, word_key=group.key, similar_words=list(group.similar), enabled=group.enabled
    )
    return history.create(session, item, user=user, summary=f"新增同义词 {group.word}")


def edit_synonym(
    session: Session,
    synonym_id: int,
    *,
    word: Any,
    similar: Any,
    enabled: Any = True,
    expected_version: int | None,
    user: str | None = None,
) -> Synonym:
    """Change a group; refused when someone saved it since ``expected_version`` was read."""
    item = get_synonym(session, synonym_id)

    def fill(it: Synonym) -> None:  # after the version check: a stale edit is refused first
        group = make_group(word, similar, enabled=enabled)
        others = [(_label(i), group_of(i)) for i in list_synonyms(session) if i.id != it.id]
        check_groups([*others, (_label(it), group)])
        it.word, it.word_key = group.word, group.key
        it.similar_words, it.enabled = list(group.similar), group.enabled

    with session.no_autoflush:
        return history.update(
            session,
            item,
            fill,
            expected_version=expected_version,
            user=user,
            summary=f"修改同义词 {item.word}",
        )


def remove_synonym(
    session: Session, synonym_id: int, *, expected_version: int | None = None, user: str | None = None
) -> Synonym:
    item = get_synonym(session, synonym_id)
    history.delete(
        session, item, expected_version=expected_version, user=user, summary=f"删除同义词 {item.word}"
    )
    return item


# ---------------------------------------------------------------- a whole list (files, sheets)


@dataclass
class SynonymPlan:
    """What importing a list does: groups added, changed (item, new group) and removed."""

    add: list[Group] = field(default_factory=list)
    change: list[tuple[Synonym, Group]] = field(default_factory=list)
    remove: list[Synonym] = field(default_factory=list)
    unchanged: int = 0

    def summary(self, verb: str = "") -> str:
        """One line of counts; ``verb`` 已 or 将 before each."""
        return (
            f"同义词：{verb}添加 {len(self.add)} 组，{verb}修改 {len(self.change)} 组，"
            f"{verb}删除 {len(self.remove)} 组，未变 {self.unchanged} 组"
        )


def parse_groups(raw: Any, *, where: str = "synonyms") -> list[Group]:
    """A list of {word, similar[, enabled]} mappings (the library file's ``synonyms:``), checked."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidValue(f"{where} 应是一个列表：每项写 word（核心词）和 similar（同义词）")
    groups = []
    for n, item in enumerate(raw, 1):
        at = f"{where} 第 {n} 组："
        if not isinstance(item, dict):
            raise InvalidValue(f"{at}应写成 word: 核心词 和 similar: [同义词, …]")
        unknown = set(item) - {"word", "similar", "enabled"}
        if unknown:
            raise InvalidValue(
                f"{at}不认识的字段 {'、'.join(sorted(map(str, unknown)))}（可写 word、similar、enabled）"
            )
        groups.append(
            make_group(item.get("word"), item.get("similar", []), enabled=item.get("enabled", True), where=at)
        )
    check_groups([(f"第 {n} 组 {g.word}", g) for n, g in enumerate(groups, 1)])
    return groups


def plan_synonyms(session: Session, groups: Sequence[Group], *, mode: str = "merge") -> SynonymPlan:
    """Compare a list with the stored one: a group whose core word is stored changes it (merge and
    replace), a new core word is added; ``replace`` also removes the groups the list lacks. The list
    the shop would end with is checked as a whole, so nothing half-fits."""
    if mode not in ("merge", "replace"):
        raise InvalidValue(f"导入方式只能是 merge 或 replace，不是“{mode}”")
    held = {i.word_key: i for i in list_synonyms(session)}
    plan = SynonymPlan()
    for g in groups:
        item = held.get(g.key)
        if item is None:
            plan.add.append(g)
        elif group_of(item) != g:
            plan.change.append((item, g))
        else:
            plan.unchanged += 1
    wanted = {g.key for g in groups}
    if mode == "replace":
        plan.remove = [i for k, i in held.items() if k not in wanted]
    kept = [(_label(i), group_of(i)) for k, i in held.items() if k not in wanted and i not in plan.remove]
    check_groups([*kept, *((f"文件里的 {g.word}", g) for g in groups)])
    return plan


def apply_synonyms(session: Session, plan: SynonymPlan, *, user: str | None = None) -> SynonymPlan:
    """Write a plan: removals first (their words may move to another group), then changes, then
    additions; each one versioned change."""
    for item in plan.remove:
        history.delete(session, item, user=user, summary=f"导入：删除同义词 {item.word}")
    session.flush()
    for item, g in plan.change:
        changes = {"word": g.word, "word_key": g.key, "similar_words": list(g.similar), "enabled": g.enabled}
        history.update(
            session, item, changes, expected_version=None, user=user, summary=f"导入：修改同义词 {g.word}"
        )
    for g in plan.add:
        item = Synonym(word=g.word, word_key=g.key, similar_words=list(g.similar), enabled=g.enabled)
        history.create(session, item, user=user, summary=f"导入：新增同义词 {g.word}")
    return plan


def import_synonyms(
    session: Session, raw: Any, *, mode: str = "merge", user: str | None = None, where: str = "synonyms"
) -> SynonymPlan:
    return apply_synonyms(
        session, plan_synonyms(session, parse_groups(raw, where=where), mode=mode), user=user
    )


def export_synonyms(session: Session) -> list[dict[str, Any]]:
    """The list as the library file writes it (``enabled`` only when off)."""
    out: list[dict[str, Any]] = []
    for item in list_synonyms(session):
        row: dict[str, Any] = {"word": item.word, "similar": list(item.similar_words)}
        if not item.enabled:
            row["enabled"] = False
        out.append(row)
    return out


def section_text(session: Session) -> str:
    """The ``synonyms:`` section of a library file, one group a few lines (``similar: [物流, 包裹]``);
    empty when the shop has none."""
    groups = export_synonyms(session)
    if not groups:
        return ""
    return yaml.safe_dump(
        {"synonyms": groups}, allow_unicode=True, sort_keys=False, width=1 << 30, default_flow_style=None
    )


def export_text(session: Session) -> str:
    """The list as a YAML file (``replybook synonyms export``; ``import`` reads it back)."""
    head = "# 同义词：核心词 word + 同义词 similar（匹配前两边的同义词都换成核心词）\n"
    return head + (section_text(session) or "synonyms: []\n")


def read_synonyms_text(text: str, *, source: str = "文件") -> list[Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise InvalidValue(f"{source}{where}不是有效的 YAML") from None
    if isinstance(doc, dict) and "synonyms" in doc:
        doc = doc["synonyms"]
    if not isinstance(doc, list):
        raise InvalidValue(f"{source}里应有 synonyms: 列表（每项 word 和 similar）")
    return doc


def read_synonyms_file(path: Path) -> list[Any]:
    """The groups of a YAML file (``synonyms:``; a complete library file works too), unchecked."""
    from replybook.library.file import _read_text  # the one encoding rule of every file

    return read_synonyms_text(_read_text(path), source=path.name)


# ---------------------------------------------------------------- the starter lexicon


def starter_lexicon() -> list[dict[str, Any]]:
    """The e-commerce lexicon in intents/synonyms.yaml, as {word, similar} mappings."""
    raw = read_synonyms_text((data_dir("intents") / "synonyms.yaml").read_text(encoding="utf-8"))
    return [{"word": str(g["word"]), "similar": [str(v) for v in g["similar"]]} for g in raw]


def load_starter_synonyms(session: Session, *, user: str | None = None) -> int:
    """A new shop's synonyms: the starter lexicon, when the shop has none yet (groups added)."""
    if session.exec(select(Synonym.id)).first() is not None:
        return 0
    return len(import_synonyms(session, starter_lexicon(), user=user, where="intents/synonyms.yaml").add)
