"""The import page's preview of a library file: the entries (field by field for a changed one) and,
for a complete file (``shop/library_file.py``), its auto-replies and campaigns, each item marked
with its kind — what the CLI's `replybook library import --dry-run` reports, on the page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from replybook.library.entries import entry_data, list_categories
from replybook.library.file import LibraryPlan
from replybook.shop.library_file import FullLibraryPlan
from replybook.store.labels import field_name

PREVIEW_LIMIT = 200  # items listed per section; the counts are always complete
# The fields an import preview compares, named as everywhere else (``store.labels``).
ENTRY_FIELDS = {
    k: field_name(k)
    for k in (
        "category",
        "question",
        "similar",
        "keywords",
        "answers",
        "enabled",
        "active_start",
        "active_end",
    )
}


def counts(plan: FullLibraryPlan) -> str:
    """The plan's counts, which a confirm compares with the preview's (a change in between re-asks)."""
    lib = plan.library
    text = f"{len(lib.add)},{len(lib.change)},{len(lib.remove)}"
    if plan.autoreplies is not None:
        a = plan.autoreplies
        text += f";自动回复:{len(a.add)},{len(a.change)},{len(a.remove)}"
    if plan.campaigns is not None:
        c = plan.campaigns
        text += f";活动:{len(c.add)},{len(c.change)},{len(c.remove)}"
    return text


def preview(session: Session, plan: FullLibraryPlan) -> dict[str, Any]:
    """The entries' preview, with the file's auto-replies and campaigns added to each list."""
    shown = entries_preview(session, plan.library)
    kinds = ["问答库"]
    extra: dict[str, list[dict[str, Any]]] = {"added": [], "changed": [], "removed": []}
    sums = {"added": 0, "changed": 0, "removed": 0}
    unchanged = 0
    if plan.autoreplies is not None:
        a = plan.autoreplies
        kinds.append("自动回复")
        extra["added"] += [{"title": f"[自动回复] {r.name}", "detail": r.text} for r in a.add]
        extra["changed"] += [{"title": f"[自动回复] {r.name}", "detail": r.text} for _, _, r in a.change]
        extra["removed"] += [{"title": f"[自动回复] {name}", "detail": ""} for _, name in a.remove]
        sums = {"added": len(a.add), "changed": len(a.change), "removed": len(a.remove)}
        unchanged += a.unchanged
    if plan.campaigns is not None:
        c = plan.campaigns
        kinds.append("活动")

        def window(d: Any) -> str:
            return f"{d.start:%Y-%m-%d %H:%M} 至 {d.end:%Y-%m-%d %H:%M}"

        extra["added"] += [{"title": f"[活动] {d.name}", "detail": window(d)} for d in c.add]
        extra["changed"] += [{"title": f"[活动] {d.name}", "detail": window(d)} for _, d in c.change]
        extra["removed"] += [{"title": f"[活动] {name}", "detail": ""} for name in c.remove]
        sums["added"] += len(c.add)
        sums["changed"] += len(c.change)
        sums["removed"] += len(c.remove)
        unchanged += c.unchanged
    for key, items in extra.items():
        shown[key] = (shown[key] + items)[:PREVIEW_LIMIT]
        shown["counts"][key] += sums[key]
    shown["unchanged"] += unchanged
    shown["what"] = "、".join(kinds)
    return shown


def entries_preview(session: Session, plan: LibraryPlan) -> dict[str, Any]:
    keys = {c.id: c.key for c in list_categories(session)}
    names = {c.key: c.name for c in list_categories(session)} | dict(plan.new_categories)
    changed = []
    for entry, new in plan.change[:PREVIEW_LIMIT]:
        old = asdict(entry_data(entry, keys[entry.category_id]))
        fresh = asdict(new)
        changed.append(
            {
                "title": entry.question,
                "fields": [
                    {"field": label, "old": _lines(old[k]), "new": _lines(fresh[k])}
                    for k, label in ENTRY_FIELDS.items()
                    if old[k] != fresh[k]
                ],
            }
        )
    return {
        "kind": "library",
        "what": "问答库",
        "shop": plan.shop,
        "added": [
            {
                "title": d.question,
                "detail": f"{names.get(d.category, d.category)} · {d.answers[0] if d.answers else ''}",
            }
            for d in plan.add[:PREVIEW_LIMIT]
        ],
        "changed": changed,
        "removed": [
            {"title": d.question, "detail": names.get(d.category, d.category)}
            for d in plan.removed_entries[:PREVIEW_LIMIT]
        ],
        "counts": {"added": len(plan.add), "changed": len(plan.change), "removed": len(plan.remove)},
        "unchanged": plan.unchanged,
        "warnings": (
            [
                f"将新增分类 {len(plan.new_categories)} 个："
                + "、".join(f"{n}（{k}）" for k, n in plan.new_categories)
            ]
            if plan.new_categories
            else []
        )
        + plan.warnings,
    }


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["是" if value else "否"]
    return [str(value)]
