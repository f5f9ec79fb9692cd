"""The bot reply library: categories, entries, the library file, the starter catalogue."""

from .file import (
    ENTRY_KEYS,
    LibraryPlan,
    apply_import,
    decode_library,
    export_library,
    export_text,
    get_setting,
    get_shop_name,
    import_library,
    plan_import,
    read_library,
    set_setting,
    set_shop_name,
)

__all__ = [
    "ENTRY_KEYS",
    "LibraryPlan",
    "apply_import",
    "decode_library",
    "export_library",
    "export_text",
    "get_setting",
    "get_shop_name",
    "import_library",
    "plan_import",
    "read_library",
    "set_setting",
    "set_shop_name",
]
