"""Questions from the files that are not plain text: chat-log exports (HDD7's ZIP, khgkk's
workbook) and question lists kept in Excel. Only the buyer's turns are questions; the times they
were asked stay on each question."""

from __future__ import annotations

from collections.abc import Iterable

from replybook.coverage.question import Question, make_question
from replybook.store.errors import ImportFormatError, Problem
from replybook.tabular.chatlog import (
    ChatStats,
    Conversation,
    buyer_questions,
    is_zip,
    read_hdd7_zip,
    read_khgkk_rows,
)
from replybook.tabular.workbook import looks_like_workbook, open_workbook
from replybook.tabular.xlsx_writer import HELPER_SHEETS


def from_conversations(
    conversations: list[Conversation], agents: Iterable[str] = ()
) -> tuple[list[Question], ChatStats]:
    asked, stats = buyer_questions(conversations, agents)
    problems: list[Problem] = []
    found: list[Question] = []
    for q in asked:
        question = make_question(q.text, q.where, problems, at=q.at, buyer=q.buyer)
        if question is not None:
            found.append(question)
    if problems:
        raise ImportFormatError("聊天记录", problems[:500])
    return found, stats


def read_binary(
    data: bytes, source: str, column: str | None, agents: Iterable[str]
) -> tuple[list[Question], ChatStats | None, list[list[str]] | None] | None:
    """(questions, chat stats, None) for a chat log; ([], None, rows) for a question list in a
    workbook (the caller reads the rows as it reads a CSV); None for text files."""
    head = data[:8]
    if looks_like_workbook(head) and not source.lower().endswith(".zip"):
        try:
            book = open_workbook(data, name=source)
        except ImportFormatError:
            if not is_zip(head):
                raise
        else:
            with book:
                sheet = next((n for n in book.sheet_names if n not in HELPER_SHEETS), None)
                if sheet is None:
                    raise ImportFormatError(source, [Problem("文件", "工作簿里没有工作表")])
                rows = [cells for _, cells in book.rows(sheet)]
                if column is None:
                    chats = read_khgkk_rows(enumerate(rows, start=1), sheet=sheet)
                    if chats is not None:
                        return (*from_conversations(chats, agents), None)
                return [], None, rows
    if is_zip(head):
        return (*from_conversations(read_hdd7_zip(data, source=source), agents), None)
    return None


def as_text(data: bytes, name: str) -> tuple[str, str] | None:
    """A ZIP or workbook as the text a campaign stores (its file name, its text): a chat log in the
    block form (.txt), a question list as CSV (.csv); None for a file that is text already."""
    import csv
    import io

    from replybook.tabular.chatlog import read_hdd7_zip as read_zip
    from replybook.tabular.chatlog import to_block_text

    head = data[:8]
    if is_zip(head) and name.lower().endswith(".zip"):
        return f"{name}.txt", to_block_text(read_zip(data, source=name))
    if not looks_like_workbook(head):
        return None
    with open_workbook(data, name=name) as book:
        sheet = next((n for n in book.sheet_names if n not in HELPER_SHEETS), None)
        if sheet is None:
            raise ImportFormatError(name, [Problem("文件", "工作簿里没有工作表")])
        rows = [cells for _, cells in book.rows(sheet)]
    chats = read_khgkk_rows(enumerate(rows, start=1), sheet=sheet)
    if chats is not None:
        return f"{name}.txt", to_block_text(chats)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return f"{name}.csv", out.getvalue()
