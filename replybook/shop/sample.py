"""The sample shop in sample_data/: a women's dress shop preparing for 聚划算 (demo and tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlmodel import Session, select

from replybook import autoreplies, campaigns, gold, phrases, scorecard
from replybook.library.file import import_library, set_shop_name
from replybook.store import users
from replybook.store.errors import ConflictError
from replybook.store.models import Entry, User
from replybook.store.resources import data_dir


@dataclass
class SampleReport:
    entries: int = 0
    autoreplies: int = 0
    campaigns: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # name, role, password
    phrases: dict[str, int] = field(default_factory=dict)  # "team" or owner → count
    review_rows: int = 0
    agent_days: int = 0
    synonyms: int = 0  # starter synonym groups loaded


def sample_dir() -> Path:
    return data_dir("sample_data")


def shop_doc() -> dict:
    return yaml.safe_load((sample_dir() / "shop.yaml").read_text(encoding="utf-8"))


def load_sample(session: Session) -> SampleReport:
    """Load the whole sample shop into an empty database."""
    if session.exec(select(Entry)).first() is not None:
        raise ConflictError("数据库中已有问答：示例店铺只能载入空库（换一个数据库文件，或用 replybook demo）")
    folder = sample_dir()
    report = SampleReport()
    shop = shop_doc()
    set_shop_name(session, shop["shop"])
    from replybook.library.synonyms import load_starter_synonyms

    report.synonyms = load_starter_synonyms(session, user="sample")
    plan = import_library(session, folder / "library.yaml", user="sample")
    report.entries = len(plan.add)

    rules = yaml.safe_load((folder / "autoreplies.yaml").read_text(encoding="utf-8"))["autoreplies"]
    for raw in rules:
        autoreplies.create_rule(session, data=autoreplies.data_from_mapping(raw), user="sample")
    report.autoreplies = len(rules)

    for raw in shop.get("campaigns", []):
        # The question file is read into the database: the campaign does not depend on where the
        # package (or its venv) is installed.
        questions = raw.get("questions")
        name, text = campaigns.read_question_path(folder / questions) if questions else (None, None)
        campaigns.create_campaign(
            session,
            data=campaigns.CampaignData(
                name=raw["name"],
                start=campaigns.window_start(raw["start"]),
                end=campaigns.window_end(raw["end"]),
                questions_file=name,
                questions_text=text,
                coverage_target=float(raw.get("coverage_target", 0.9)),
            ),
            user="sample",
        )
        report.campaigns += 1

    for raw in shop.get("users", []):
        if session.exec(select(User).where(User.name == raw["name"])).first() is None:
            users.add_user(session, name=raw["name"], role=raw["role"], password=str(raw["password"]))
        report.users.append((raw["name"], raw["role"], str(raw["password"])))

    # Team phrases as Qianniu writes them (GBK); each agent's own file is named after them.
    imported = phrases.import_phrases(session, folder / "team_phrases.csv", scope="team", user="sample")
    report.phrases["团队"] = len(imported.added)
    for path in sorted((folder / "phrases").glob("*.csv")):
        imported = phrases.import_phrases(session, path, scope="personal", owner=path.stem, user="sample")
        report.phrases[path.stem] = len(imported.added)

    report.review_rows = gold.import_file(session, folder / "reviews.csv").review_rows
    # 客服绩效考核: two months of per-agent figures and the supervisor's hand scores
    report.agent_days = scorecard.import_days_file(session, folder / "agent_days.csv", user="sample").added
    for month, agents in (shop.get("hand_scores") or {}).items():
        for agent, items in agents.items():
            for item, score in items.items():
                scorecard.set_hand_score(
                    session, agent=agent, month=month, item=item, score=score, user="sample"
                )

    session.flush()
    return report
