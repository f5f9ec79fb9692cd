"""`replybook ask`: try one question against the bot, as the try box does.

Only what an ask needs is imported (no web stack, no coverage run, no alembic): on a SQLite database
the fitted matcher comes from its snapshot (``coverage/snapshot.py``) while the library, its settings
and the code are unchanged, and the schema is checked by the stored revision against the snapshot's
head; otherwise the library is read and fitted, and the snapshot written for the next ask."""

from __future__ import annotations

import typer

from .common import console, session, state

EVENT_NAMES = {"first_contact": "首次接待", "message": "买家消息", "away": "离线/挂起", "busy": "忙碌"}


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="买家的问题"),
    at: str = typer.Option(None, "--at", help="时间（默认现在），例如 2026-12-10T10:00:00+08:00"),
    event: str = typer.Option(
        "first_contact", "--event", help="同时发生的事件：first_contact（当天首次咨询）、message、away、busy"
    ),
) -> None:
    """试一个问题：最接近的三条问答及分数、机器人会发的答案、会不会转人工及原因、此刻会触发的自动回复。

    Example: replybook ask "今天能发吗" --at 2026-12-10T10:00:00+08:00
    """
    from replybook.coverage import snapshot
    from replybook.store.timeutil import now, parse_datetime, shop_text

    moment = parse_datetime(at) if at else now()
    database = snapshot.sqlite_file(state(ctx).database_url)
    found = snapshot.lookup(database, at=moment) if database is not None else None
    with session(ctx, check_schema=found is None or not found.schema_current) as s:
        from replybook import autoreplies, bot
        from replybook.coverage.ignored import find_ignored
        from replybook.coverage.live import answer
        from replybook.coverage.synonyms import fired_for
        from replybook.store.labels import STATUS_NAMES

        library = found.library if found is not None and found.library is not None else None
        if library is None:
            library = snapshot.build(s, at=moment, found=found)
        matcher, names = library.matcher, library.category_names
        result, top = answer(matcher, question, 3)  # one scoring pass for both, as the try box
        held = find_ignored(s, question)
        firing = autoreplies.would_fire(s, moment, event=event, message=question)
        console.print(
            f"问题：{question}（{shop_text(moment)}，生效问答 {len(matcher.entries)} 条）", markup=False
        )
        fired = fired_for(matcher.synonyms, question, top)
        if fired:
            console.print("同义词：" + "，".join(f"{a} → {b}" for a, b in fired), markup=False)
        if top:
            from rich.table import Table

            table = Table()
            for col in ("#", "问答", "分类", "匹配问法", "分数"):
                table.add_column(col, justify="right" if col in ("#", "分数") else "left")
            for i, m in enumerate(top, start=1):
                label = f"{names.get(m.category, m.category)}"
                table.add_row(str(i), m.question, label, m.matched, f"{m.score:.1f}")
            console.print(table)
        status = STATUS_NAMES[result.status]
        if result.status == "covered":
            console.print(f"{status}：机器人会回答「{result.question}」", markup=False)
        elif result.status == "ambiguous":
            other = result.runner_up.question if result.runner_up else ""
            console.print(
                f"{status}：「{result.question}」和「{other}」分数相差不到 {matcher.margin:g}，机器人可能答错",
                markup=False,
            )
        else:
            console.print(
                f"{status}：最高分 {result.score:.1f} 低于阈值 {matcher.threshold:g}，机器人不会回答（转人工）",
                markup=False,
            )
        if result.status != "uncovered" and result.answers:
            extra = f"（共 {len(result.answers)} 个答案，随机发送其一）" if len(result.answers) > 1 else ""
            console.print(f"答案{extra}：{result.answers[0]}", markup=False)
        if held is not None:
            console.print(
                f"忽略列表：这句话在忽略列表里（“{held.question}”），覆盖测试算作正确的未覆盖", markup=False
            )
        handoff = bot.decide(
            bot.get_bot_settings(s),
            question=question,
            status=result.status,
            category=result.category,
            entry=result.question,
            at=moment,
        )
        console.print(f"转人工：{handoff.verdict}——{handoff.reason}", markup=False)
        trigger = EVENT_NAMES.get(event, event)
        if firing.rule is None:
            console.print(f"自动回复（{trigger}）：无", markup=False)
        else:
            console.print(f"自动回复（{trigger}）：{firing.rule.name}：{firing.rule.text}", markup=False)
            if firing.tied:
                tied = "、".join(r.name for r in firing.tied)
                console.print(f"警告：自动回复规则同级冲突（{tied}），请调整优先级", markup=False)
