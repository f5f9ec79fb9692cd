"""Reading a library file's YAML strictly: plain data, bounded, every key once (issue 12).

YAML can say far more than a library needs, and some of it is dangerous to read: nested aliases
expand a few hundred bytes into gigabytes ("billion laughs"), deep nesting exhausts the recursion
limit, ``!!python/…`` and ``!!binary`` build objects no entry holds, and a key written twice (two
exports pasted one after the other) silently keeps only the last. The loader here refuses all of
that while it reads, and says where, in Chinese.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from replybook.store.controls import control_problem
from replybook.store.errors import ImportFormatError, Problem

MAX_FILE_BYTES = 20 * 1024 * 1024  # ten times a 10,000-entry library
MAX_DEPTH = 20  # a library nests four deep (document → entries → entry → active → start)
MAX_SCALAR = 100_000  # characters in one value: an answer is a chat message, not a book

_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)
MERGE_TAG = _TAG + "merge"
VALUE_TAG = _TAG + "value"  # a plain "=" — in a library, just text


class YamlRefused(Exception):
    """Something the strict loader will not read: ``line`` counts from 1 (0 = the whole file)."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 0


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, anchors, merge keys, tags beyond the plain types, duplicate keys,
    deep nesting or huge scalars."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        event = self.peek_event()
        if self.check_event(AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlRefused(
                _line(event.start_mark), "不支持 YAML 的锚点（&）和别名（*）：请把内容直接写出来"
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlRefused(_line(event.start_mark), f"嵌套超过 {MAX_DEPTH} 层，问答库文件用不到这么深")
        try:
            composed = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        assert composed is not None  # None only for an alias, refused above
        node: Node = composed
        if node.tag == VALUE_TAG:
            node.tag = _TAG + "str"
        if node.tag not in PLAIN_TAGS and node.tag != MERGE_TAG:
            shown = node.tag.removeprefix(_TAG)
            raise YamlRefused(
                _line(node.start_mark),
                f"不支持的 YAML 标签 {'!!' + shown if shown != node.tag else shown}：只能写文字、数字、true/false、列表和映射",
            )
        if isinstance(node, ScalarNode) and len(node.value) > MAX_SCALAR:
            raise YamlRefused(_line(node.start_mark), f"一项内容超过 {MAX_SCALAR:,} 个字")
        return node

    def flatten_mapping(self, node: MappingNode) -> None:
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                raise YamlRefused(
                    _line(key_node.start_mark), "不支持 YAML 的合并键（<<）：请把字段直接写出来"
                )

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        self.flatten_mapping(node)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = _line(key_node.start_mark)
            try:
                first = seen.get(key)
            except TypeError:
                raise YamlRefused(line, "键应为文字，不能是列表或映射") from None
            if first is not None:
                raise YamlRefused(
                    line, f"键 {key} 重复（第 {first} 行已有）；两份导出请合并成一个 entries 列表"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


# What PyYAML says most often, in the user's words; anything else keeps PyYAML's own phrase.
_PROBLEMS = {
    "but found another document": "文件里有不止一个 YAML 文档（---）；两份导出请合并成一个 entries 列表",
    "found character '\\t' that cannot start any token": "缩进里有 TAB，YAML 只能用空格缩进",
    "mapping values are not allowed here": "这里不能有冒号（:）；内容里有冒号时请给整项加引号",
    "found unhashable key": "键应为文字，不能是列表或映射",
}


def load(text: str, *, source: str) -> Any:
    """The plain data of a library document; ImportFormatError naming the line of anything refused."""
    if len(text) > MAX_FILE_BYTES:
        raise ImportFormatError(source, [Problem("文件", too_big())])
    loader = None
    try:
        loader = StrictLoader(text)  # the reader checks every character here
        return loader.get_single_data()
    except YamlRefused as exc:
        where = f"第 {exc.line} 行" if exc.line else "文件"
        raise ImportFormatError(source, [Problem(where, exc.message)]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = control_problem(char) or f"含有 YAML 不允许的字符 U+{ord(char):04X}"
        raise ImportFormatError(source, [Problem(f"第 {line} 行", message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "文件"
        problem = str(exc.problem or exc.context or "")
        message = _PROBLEMS.get(problem) or f"不是有效的 YAML（{problem}）"
        raise ImportFormatError(source, [Problem(where, message)]) from None
    except yaml.YAMLError as exc:
        raise ImportFormatError(source, [Problem("文件", f"不是有效的 YAML（{exc}）")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def too_big() -> str:
    return f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，问答库文件不会这么大"


# ---------------------------------------------------------------- fields that must be text


def kind_of(value: Any) -> str:
    """What a YAML value is, in the words of a message: 数字 12, true/false, 列表 …."""
    if isinstance(value, bool):
        return f"true/false（{str(value).lower()}）"
    if isinstance(value, int | float):
        return f"数字 {value}"
    if isinstance(value, datetime | date):
        return f"日期 {value}"
    return {list: "列表", dict: "映射", type(None): "空值"}.get(type(value), type(value).__name__)


QUOTE_HINT = "数字、日期或 true/false 当文字用时请加引号，如 '12'"


def text_field(raw: dict[Any, Any], key: str, problems: list[tuple[str | None, str]]) -> str | None:
    """A field that must be text: None when absent (or wrong, with a problem naming what it is)."""
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append((key, f"应为文字，现为{kind_of(value)}；{QUOTE_HINT}"))
    return None


def text_list(raw: dict[str, Any], key: str, problems: list[tuple[str | None, str]]) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        problems.append((key, "应为文字列表，例如 [几天能发货, 今天能发吗]"))
        return []
    wrong = [v for v in value if not isinstance(v, str)]
    if wrong:
        problems.append((key, f"列表里每项应为文字，有一项是{kind_of(wrong[0])}；{QUOTE_HINT}"))
        return []
    return list(value)
