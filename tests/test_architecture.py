"""The shape of the code (ARCHITECTURE.md), kept by a test: imports run one way — the interfaces
(web, cli) → the whole shop → the domain packages → tabular → store — with no circle anywhere, and
no module past the size where it asks to be split."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower numbers sit lower: a module may import its own layer or lower ones, never a higher one.
LAYERS = {
    "replybook.store": 0,
    "replybook.tabular": 1,
    "replybook.bot": 1.5,  # mode, transfer rules, shifts: read by the library file, coverage, campaigns
    "replybook.library": 2,
    "replybook.autoreplies": 2,
    "replybook.phrases": 2,
    "replybook.coverage": 3,  # matches against the library
    "replybook.gold": 2,
    "replybook.scorecard": 3.5,  # the 考核表: reads gold figures, chat logs, phrases and coverage
    "replybook.campaigns": 4,  # a campaign's check reads every other part
    "replybook.shop": 5,
    "replybook.web": 6,
    "cli": 7,  # `replybook serve` starts the web app
}
DOMAIN = [name for name, level in LAYERS.items() if 1.5 <= level <= 4]
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for folder in ("replybook", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every project module `name` imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> tuple[str, int] | None:
    for prefix, level in sorted(LAYERS.items(), key=lambda item: -len(item[0])):
        if name == prefix or name.startswith(prefix + "."):
            return prefix, level
    return None


def test_every_module_belongs_to_a_layer() -> None:
    homeless = sorted(n for n in MODULES if _layer(n) is None and n not in {"replybook"})
    assert homeless == [], f"modules outside the packages of ARCHITECTURE.md: {homeless}"


def test_imports_run_one_way() -> None:
    upward = []
    for name, targets in GRAPH.items():
        mine = _layer(name)
        if mine is None:
            continue
        for target in targets:
            theirs = _layer(target)
            if theirs is None or theirs[0] == mine[0]:
                continue
            if theirs[1] >= mine[1]:
                upward.append(f"{name} → {target}")
    assert upward == [], "imports that run upward or sideways between layers:\n" + "\n".join(upward)


def test_no_domain_package_reaches_an_interface() -> None:
    bad = [
        f"{name} → {target}"
        for name, targets in GRAPH.items()
        if any(name.startswith(d) for d in DOMAIN)
        for target in targets
        if target.startswith(("replybook.web", "cli", "replybook.shop"))
    ]
    assert bad == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_anywhere() -> None:
    assert _cycles() == []


def test_the_circle_finder_finds_a_circle() -> None:
    """The test above can fail: a two-module circle is reported."""
    saved = dict(GRAPH)
    try:
        GRAPH["replybook.store.db"] = GRAPH["replybook.store.db"] | {"replybook.store.errors"}
        GRAPH["replybook.store.errors"] = GRAPH["replybook.store.errors"] | {"replybook.store.db"}
        assert ["replybook.store.db", "replybook.store.errors"] in _cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by what it holds"


def test_the_top_of_replybook_holds_only_packages() -> None:
    loose = sorted(p.name for p in (ROOT / "replybook").glob("*.py") if p.name != "__init__.py")
    assert loose == []


def test_architecture_md_names_every_package() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = sorted(p.name for p in (ROOT / "replybook").iterdir() if (p / "__init__.py").exists())
    missing = [p for p in packages if f"{p}/" not in text]
    assert missing == [], f"ARCHITECTURE.md does not describe: {missing}"
