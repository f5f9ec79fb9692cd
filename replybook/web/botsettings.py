"""The bot settings page (/bot): mode, transfer rules, shifts and the staffing figures (SPEC §8b)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from replybook import bot
from replybook.library import entries
from replybook.store.errors import InvalidValue, StaleVersionError

from . import forms
from .auth import SessionDep, SupervisorDep, flash, redirect
from .render import render
from .uploads import PostedForm, UploadRoute

router = APIRouter(route_class=UploadRoute)


def bot_data(session: Session) -> dict[str, Any]:
    """The settings as the page and GET /api/bot show them (``version`` null: defaults, never saved)."""
    config = bot.get_bot_settings(session)
    return {
        "settings": bot.config_to_mapping(config),
        "version": config.version,
        "modes": list(bot.MODES.values()),
        "default_keywords": list(bot.DEFAULT_KEYWORDS),
        "categories": [{"key": c.key, "name": c.name} for c in entries.list_categories(session)],
    }


def shift_line(shift: dict[str, Any]) -> str:
    return f"{shift['name']}={shift['start']}-{shift['end']}:{','.join(shift['agents'])}"


def form_config(form: Any, base: bot.BotConfig) -> bot.BotConfig:
    """The posted form as settings (the core validates every field)."""
    raw: dict[str, Any] = {
        "mode": forms.text(form, "mode"),
        "transfer_keywords": forms.words(form, "transfer_keywords"),
        "unanswered_limit": forms.text(form, "unanswered_limit"),
        "high_risk_categories": [v for v in form.getlist("high_risk_categories") if isinstance(v, str)],
        "high_risk_entries": forms.lines(form, "high_risk_entries"),
        "shifts": [bot.parse_shift(line) for line in forms.lines(form, "shifts")],
        "concurrency": forms.text(form, "concurrency"),
        "handling_minutes": forms.text(form, "handling_minutes"),
        "productivity": forms.text(form, "productivity"),
    }
    return bot.config_from_mapping(raw, base=base)


@router.get("/bot")
def bot_page(request: Request, session: SessionDep) -> Response:
    data = bot_data(session)
    return render(
        request,
        "bot/settings.html",
        {**data, "shift_lines": [shift_line(s) for s in data["settings"]["shifts"]], "error": None},
    )


@router.post("/bot")
def save_bot(request: Request, session: SessionDep, viewer: SupervisorDep, form: PostedForm) -> Response:
    current = bot.get_bot_settings(session)
    try:
        config = form_config(form, current)
        bot.save_bot_settings(session, config=config, expected_version=forms.version(form), user=viewer.name)
        session.commit()
    except (InvalidValue, StaleVersionError) as exc:
        session.rollback()
        data = bot_data(session)
        message = (
            str(exc)
            if isinstance(exc, InvalidValue)
            else "有人在你之后保存了机器人设置：请看下面的最新设置，再改一次"
        )
        posted = {**data, "shift_lines": forms.lines(form, "shifts"), "error": message}
        return render(request, "bot/settings.html", posted, status=exc.http_status)
    flash(request, "已保存机器人设置")
    return redirect(request, "/bot")
