"""Quick phrases (快捷短语, SPEC §8): personal and team libraries, one level of groups, with history,
the Qianniu CSV import/export, and the lint checks. Every rule about phrases lives in this package, so
the CLI and the web call the same functions."""

from .core import (
    PhraseData,
    check_can_edit,
    check_library,
    check_owner,
    check_scope,
    create_phrase,
    delete_phrase,
    find_phrase,
    get_phrase,
    group_counts,
    library_name,
    list_phrases,
    move_phrase,
    page_of_phrases,
    phrase_data,
    problems_in,
    shadow_warning,
    update_phrase,
)
from .export import PhraseExport, export_phrases, export_rows
from .lint import DEFAULT_MAX_LENGTH, LintFinding, lint_phrases
from .plan import AddedItems, PhraseImportPlan, PlanItem, plan_phrase_import
from .transfer import apply_phrase_import, import_phrases

__all__ = [
    "AddedItems",
    "DEFAULT_MAX_LENGTH",
    "LintFinding",
    "PhraseData",
    "PhraseExport",
    "PhraseImportPlan",
    "PlanItem",
    "apply_phrase_import",
    "check_can_edit",
    "check_library",
    "check_owner",
    "check_scope",
    "create_phrase",
    "delete_phrase",
    "export_phrases",
    "export_rows",
    "find_phrase",
    "get_phrase",
    "group_counts",
    "import_phrases",
    "library_name",
    "lint_phrases",
    "list_phrases",
    "page_of_phrases",
    "move_phrase",
    "phrase_data",
    "plan_phrase_import",
    "problems_in",
    "shadow_warning",
    "update_phrase",
]
