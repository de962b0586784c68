"""The rules of a rating (好差评): the five levels, the tags each level may carry, the comment, the edit window,
and when a rating is 差评 that opens a rectification case (整改) with its deadline in working days.

Levels are integers, 5 = 非常满意 … 1 = 非常不满意; the API takes and returns the integer and adds its label.
满意率 (satisfaction rate) = (非常满意 + 满意 + 基本满意) / all ratings, as 浙江's 好差评 counts it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from api.applications.workdays import add_working_days
from api.errors import Invalid

LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
POOR_AT_MOST = 2  # 不满意 and 非常不满意 are 差评
SATISFIED_AT_LEAST = 3  # counted in 满意率

PRAISE = ("办事快", "态度好", "材料少", "一次办成", "指南清楚", "操作方便")
COMPLAINTS = ("办事慢", "态度差", "材料多", "跑了多次", "等待太久", "指南不清", "操作复杂")
TAGS_BY_LEVEL: dict[int, tuple[str, ...]] = {
    5: PRAISE,
    4: PRAISE,
    3: PRAISE + COMPLAINTS,  # 基本满意: good on the whole, with something to improve
    2: COMPLAINTS,
    1: COMPLAINTS,
}
MAX_TAGS = 5
COMMENT_MAX_CHARS = 300
EDIT_WINDOW = dt.timedelta(days=7)  # one edit within 7 days of the rating
MAX_EDITS = 1
REMIND_AFTER = dt.timedelta(days=3)  # an unrated finished case gets one reminder (DESIGN.md)
RECTIFY_WORKING_DAYS = 15  # the default limit of DESIGN.md; localities differ


def label(level: int) -> str:
    return LEVELS[level]


def is_poor(level: int) -> bool:
    """差评: opens a rectification case."""
    return level <= POOR_AT_MOST


def is_satisfied(level: int) -> bool:
    return level >= SATISFIED_AT_LEAST


def check_level(level: int) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise Invalid("请选择评价等级", code="invalid_level", errors={"level": ["评价等级为1（非常不满意）到5（非常满意）"]})
    return level


def check_tags(level: int, tags: list[str]) -> list[str]:
    """Tags from the level's vocabulary, each once, at most MAX_TAGS; returned in the vocabulary's order."""
    allowed = TAGS_BY_LEVEL[level]
    unknown = [tag for tag in tags if tag not in allowed]
    if unknown:
        raise Invalid("所选标签与评价等级不符", code="invalid_tags",
                      errors={"tags": [f"「{LEVELS[level]}」可选的标签：{'、'.join(allowed)}"]})  # fmt: skip
    if len(set(tags)) > MAX_TAGS:
        raise Invalid(f"最多选择{MAX_TAGS}个标签", code="invalid_tags", errors={"tags": [f"最多选择{MAX_TAGS}个标签"]})
    return [tag for tag in allowed if tag in tags]


def check_comment(comment: str | None) -> str:
    """At most 300 characters after trimming; line breaks are kept, other control characters refused."""
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX_CHARS:
        raise Invalid(f"评价内容不能超过{COMMENT_MAX_CHARS}字", code="invalid_comment",
                      errors={"comment": [f"评价内容不能超过{COMMENT_MAX_CHARS}字"]})  # fmt: skip
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and char != "\n" for char in text):
        raise Invalid("评价内容含有不能显示的字符", code="invalid_comment", errors={"comment": ["评价内容含有不能显示的字符"]})
    return text


def may_edit(created_at: dt.datetime, edits: int, now: dt.datetime) -> str | None:
    """Why an edit is refused now, or None: one edit, within 7 days."""
    if edits >= MAX_EDITS:
        return "评价只能修改一次"
    if now - created_at > EDIT_WINDOW:
        return "评价提交超过7天，不能再修改"
    return None


def rectification_deadline(opened_on: dt.date, working_days: int = RECTIFY_WORKING_DAYS) -> dt.date:
    """The last day to reply: `working_days` working days after the day the case opened (that day not counted)."""
    return add_working_days(opened_on, working_days)
