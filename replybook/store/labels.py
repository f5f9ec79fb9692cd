"""Chinese names for what people read: the fields of every item, the events auto-replies answer and a
question's coverage status. Messages, history and pages name a field by these, never by its column key
(``active_start``)."""

from __future__ import annotations

FIELD_NAMES = {
    "category_id": "分类",
    "question": "标准问题",
    "question_norm": "规范化问题",
    "similar": "相似问法",
    "word": "核心词",
    "word_key": "核心词（规范化）",
    "similar_words": "同义词",
    "keywords": "关键词",
    "answers": "答案",
    "enabled": "启用",
    "active_start": "生效开始",
    "active_end": "生效结束",
    "name": "名称",
    "trigger": "触发方式",
    "text": "内容",
    "busy_threshold": "排队人数",
    "service_hours": "服务时间",
    "priority": "优先级",
    "scope": "范围",
    "owner": "所属客服",
    "group_name": "分组",
    "code": "编码",
    "image_url": "图片",
    "key": "标识",
    "start": "开始",
    "end": "结束",
    "questions_file": "问题文件",
    "questions_text": "问题内容",
    "coverage_target": "覆盖率目标",
    "min_entries": "问答至少",
    "min_personal_phrases": "每位客服个人短语至少",
    "min_team_phrases": "团队短语至少",
    "day": "日期",
    "source": "来源",
    "agent": "客服",
    "very_satisfied": "很满意",
    "satisfied": "满意",
    "neutral": "一般",
    "dissatisfied": "不满意",
    "very_dissatisfied": "很不满意",
    "role": "角色",
    "created_at": "创建时间",
    "session_generation": "登录会话版本",
    "indicators": "考核指标",
    "points": "加减分规则",
    "commission": "提成档位",
    "pay": "工资公式",
    "consultations": "咨询人数",
    "inquiries": "询单人数",
    "orders": "下单人数",
    "payers": "最终付款人数",
    "sales_cents": "销售额（分）",
    "avg_response_seconds": "平均响应时间（秒）",
    "first_response_seconds": "首次响应时间（秒）",
    "reply_rate": "回复率",
    "rate_3min": "3分钟响应率",
    "buyer_turns": "买家轮次",
    "praise": "表扬",
    "complaints": "投诉",
    "phrase_messages": "快捷短语消息",
    "typed_messages": "手打消息",
    "typed_by_hand": "手工录入",
    "month": "月份",
    "item": "打分项",
    "score": "分数",
}

# A question's verdict in a coverage run, `ask` and the try box.
STATUS_NAMES = {"covered": "已覆盖", "ambiguous": "有歧义", "uncovered": "未覆盖", "ignored": "已忽略"}
# The moments an auto-reply answers (``would_fire(event=...)``), as the try box and the checks say them.
EVENT_NAMES = {
    "first_contact": "当天首次咨询",
    "message": "买家消息",
    "away": "客服离线/挂起",
    "busy": "客服忙碌",
    "keyword": "含关键词的消息",
}
# Fields of the library file (SPEC §4) that are not columns.
FILE_FIELD_NAMES = {"category": "分类", "active": "生效时间", "key": "标识"}


def field_name(key: str) -> str:
    """A field as people call it: 分类, 生效开始 … (the key itself if it has no name yet)."""
    return FIELD_NAMES.get(key) or FILE_FIELD_NAMES.get(key) or key


def file_field(key: str) -> str:
    """A field of a file people edit: its name, and the key they see in the file — 答案（answers）."""
    name = field_name(key)
    return name if name == key else f"{name}（{key}）"


def event_name(key: str) -> str:
    return EVENT_NAMES.get(key, key)
