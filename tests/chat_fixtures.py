"""Chat-log exports in the exact shapes their exporters write (issue 15 item 3), built by the tests:

- HDD7/Batch-export-of-Qianniu-chat-history (a userscript): JSZip of ``<buyer>.json`` files, each
  ``JSON.stringify({user, exportTime: new Date().toLocaleString(), count, chats})`` with chats
  ``{date, time, sender, text, imgUrl}`` read from the Qianniu web chat's DOM (text "" and imgUrl set
  for a picture); the archive is named ``千牛聊天记录_<toLocaleDateString with - >.zip``;
- khgkk/qianniu-chat-extract: an .xlsx, columns ``客户ID | 聊天记录``, each cell ``时间\\n昵称: 内容``
  blocks separated by blank lines (the shape SPEC §8a and the issue give).
"""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl

SHOP = "毛菇小象女装旗舰店"


def hdd7_zip(conversations: dict[str, list[tuple[str, str, str, str, str]]]) -> bytes:
    """buyer → [(date, time, sender, text, imgUrl)] as the userscript zips it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for user, chats in conversations.items():
            records = [{"date": d, "time": t, "sender": s, "text": x, "imgUrl": i} for d, t, s, x, i in chats]
            doc = {"user": user, "exportTime": "2026/11/12 10:30:00", "count": len(records), "chats": records}
            safe = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in user)
            archive.writestr(f"{safe}.json", json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    return out.getvalue()


def blocks(messages: list[tuple[str, str, str]]) -> str:
    """[(time, nickname, text)] as ``时间\\n昵称: 内容`` blocks separated by blank lines."""
    return "\n\n".join(f"{t}\n{who}: {text}" for t, who, text in messages)


def khgkk_xlsx(rows: dict[str, list[tuple[str, str, str]]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户ID", "聊天记录"])
    for buyer, messages in rows.items():
        sheet.append([buyer, blocks(messages)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


AGENT = f"{SHOP}:小美"
HDD7_SAMPLE = {
    "tb_小王": [
        ("2026-11-11", "10:00:01", "tb_小王", "在吗", ""),
        ("2026-11-11", "10:00:04", "tb_小王", "这件连衣裙有XL吗", ""),  # split over two lines: one question
        ("2026-11-11", "10:00:30", AGENT, "亲，在的，XL有货哦~", ""),
        ("2026-11-11", "10:01:00", "tb_小王", "", "https://img.alicdn.com/imgextra/i1/x.jpg"),  # a picture
        ("2026-11-11", "10:02:00", "tb_小王", "什么时候发货", ""),
        ("2026-11-11", "10:02:20", "小雨", "亲，48小时内发货~", ""),  # a replybook user
        ("2026-11-11", "10:03:00", "官方小助手", "请对本次服务评价", ""),  # nobody we know
    ],
    "tb_小李": [
        ("2026-11-11", "21:15:00", "tb_小李", "有优惠券吗", ""),
        ("2026-11-11", "21:15:40", AGENT, "亲，满299减40哦~", ""),
    ],
}
KHGKK_SAMPLE = {
    "tb_小张": [
        ("2026-11-11 09:00:00", "tb_小张", "能便宜点吗"),
        ("2026-11-11 09:00:20", f"{SHOP}:小雨", "亲，已经是活动价了"),
        ("2026-11-11 09:01:00", "tb_小张", "发什么快递"),
    ],
    "tb_小赵": [
        ("2026-11-11 23:59:00", "tb_小赵", "[图片]"),
        ("2026-11-12 00:00:05", "tb_小赵", "可以退货吗"),
    ],
}
