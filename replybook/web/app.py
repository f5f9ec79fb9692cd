"""The web UI and JSON API: create_app(settings) builds a FastAPI app on the core services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from replybook import entries
from replybook.db import ensure_current, make_engine
from replybook.resources import data_dir
from replybook.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    templates = Jinja2Templates(directory=str(data_dir("templates")))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ensure_current(engine)
        yield
        engine.dispose()

    app = FastAPI(title="replybook", lifespan=lifespan)

    def get_session() -> Iterator[Session]:
        with Session(engine) as s:
            yield s

    SessionDep = Annotated[Session, Depends(get_session)]

    @app.get("/")
    def library_page(request: Request, session: SessionDep):
        cats = {c.id: c for c in entries.list_categories(session)}
        rows, total = entries.list_entries(session)
        return templates.TemplateResponse(
            request, "library.html", {"entries": rows, "categories": cats, "total": total}
        )

    return app
