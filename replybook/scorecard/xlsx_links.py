"""The 考核表 workbook's 回复配置 sheet (issue 17 item 5): per agent, the personal quick phrases, quick
phrases against typed by hand (the share left as its formula), the questions answered and how many
the library does not cover; below, the uncovered questions each answered most, each with a link to
teaching the bot when the web version's address is given."""

from __future__ import annotations

from typing import Any

from replybook.scorecard.sheet import Scorecard

HEADER = ["客服", "个人快捷短语", "快捷短语条数", "手打条数", "快捷短语占比", "回答的买家问题", "其中未覆盖"]
QUESTION_HEADER = ["客服", "序号", "回答最多的未覆盖问题", "次数", "其他问法", "教机器人"]


def links_sheet(sheet: Any, card: Scorecard, *, site: str = "") -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    sheet.append([f"{card.month} 客服与回复配置（快捷短语、未覆盖的买家问题）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADER)
    for cell in sheet[2]:
        cell.font = bold
    for number, row in enumerate(card.rows, start=3):
        links = card.links(row.agent)
        found = links["uncovered_questions"]
        sheet.append(
            [
                row.agent,
                links["personal_phrases"],
                links["phrase_messages"],
                links["typed_messages"],
                f'=IF(C{number}+D{number}=0,"",C{number}/(C{number}+D{number}))',
                found["answered"] if found else None,
                found["uncovered"] if found else None,
            ]
        )
        sheet.cell(row=number, column=5).number_format = "0%"
    sheet.append([])
    if card.questions is None:
        sheet.append(["未覆盖的买家问题需要本月的聊天记录（replybook score --chats 聊天记录）。"])
    else:
        sheet.append(QUESTION_HEADER)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in card.rows:
            found = card.links(row.agent)["uncovered_questions"] or {"top": []}
            for index, item in enumerate(found["top"], start=1):
                others = "、".join(w for w in item["wordings"] if w != item["question"])
                sheet.append(
                    [row.agent, index, item["question"], item["count"], others, "新建问答" if site else ""]
                )
                if site:
                    link = sheet.cell(row=sheet.max_row, column=len(QUESTION_HEADER))
                    link.hyperlink = site + item["teach"]
                    link.style = "Hyperlink"
        if card.chat_logs:
            sheet.append([])
            sheet.append(["聊天记录：" + "、".join(card.chat_logs)])
    for letter, width in zip("ABCDEFG", (10, 12, 40, 10, 24, 14, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    for row_cells in sheet.iter_rows(min_row=3):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
