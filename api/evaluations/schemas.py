"""What the ratings API reads and shows: a rating, the applicant's view of it with the department's replies,
the pending list, the public summary, and the rectification cases as staff see them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from api.schema_messages import install_chinese_messages

from . import rectifications, rules
from .service import SUBJECT_TYPES

install_chinese_messages()
_LEVEL = fields.Integer(
    required=True,
    strict=True,
    validate=validate.Range(1, 5, error="评价等级为1（非常不满意）到5（非常满意）"),
    metadata={"description": "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"},
)
_TAGS = fields.List(
    fields.String(validate=validate.Length(1, 10)),
    load_default=list,
    validate=validate.Length(max=rules.MAX_TAGS),
    metadata={"description": "from the level's vocabulary (GET /evaluations/vocabulary)"},
)
_COMMENT = fields.String(
    load_default="", allow_none=True, metadata={"description": f"at most {rules.COMMENT_MAX_CHARS} characters"}
)


class RatingSchema(Schema):
    """A rating's content: the level, tags of that level, an optional comment."""

    level = _LEVEL
    tags = _TAGS
    comment = _COMMENT


class RateSchema(RatingSchema):
    subject_type = fields.String(required=True, validate=validate.OneOf(SUBJECT_TYPES))
    subject_id = fields.String(required=True, validate=validate.Length(1, 64))


class MineQuerySchema(Schema):
    subject_type = fields.String(validate=validate.OneOf(SUBJECT_TYPES))
    subject_id = fields.String(validate=validate.Length(1, 64))


class HistorySchema(Schema):
    kind = fields.String(metadata={"description": "edit | follow_up: what replaced this rating"})
    level = fields.Integer()
    level_label = fields.String()
    tags = fields.List(fields.String())
    comment = fields.String()
    at = fields.String()


class ReplySchema(Schema):
    round = fields.Integer()
    reply = fields.String()
    measures = fields.String()
    department_name = fields.String()
    at = fields.String()


class CaseForApplicantSchema(Schema):
    id = fields.String()
    state = fields.String(metadata={"description": " | ".join(rectifications.STATE_LABELS)})
    state_label = fields.String()
    deadline_on = fields.String()
    overdue = fields.Boolean()
    replies = fields.List(fields.Nested(ReplySchema))


class EvaluationSchema(Schema):
    id = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    subject_name = fields.String()
    subject_no = fields.String(allow_none=True)
    level = fields.Integer()
    level_label = fields.String()
    tags = fields.List(fields.String())
    comment = fields.String()
    created_at = fields.String()
    updated_at = fields.String()
    edits = fields.Integer()
    editable = fields.Boolean()
    editable_until = fields.String()
    follow_up_at = fields.String(allow_none=True)
    can_follow_up = fields.Boolean()
    history = fields.List(fields.Nested(HistorySchema))
    rectification = fields.Nested(CaseForApplicantSchema, allow_none=True)


class PendingSchema(Schema):
    subject_type = fields.String()
    subject_id = fields.String()
    subject_name = fields.String()
    subject_no = fields.String(allow_none=True)
    invited_at = fields.String()


class LevelTagsSchema(Schema):
    level = fields.Integer()
    label = fields.String()
    tags = fields.List(fields.String())


class VocabularySchema(Schema):
    levels = fields.List(fields.Nested(LevelTagsSchema))
    max_tags = fields.Integer()
    comment_max_chars = fields.Integer()


class SummaryQuerySchema(Schema):
    """Exactly one scope."""

    item = fields.String(validate=validate.Length(1, 40))
    department = fields.String(validate=validate.Length(1, 40))
    bundle = fields.String(validate=validate.Length(1, 40))
    hall = fields.String(validate=validate.Length(1, 40))

    @validates_schema
    def one_scope(self, data, **kwargs):
        if len(data) > 1:
            raise ValidationError("item、department、bundle、hall 只能选一个", "scope")


class LevelCountSchema(Schema):
    level = fields.Integer()
    label = fields.String()
    count = fields.Integer()


class SummarySchema(Schema):
    scope = fields.String(metadata={"description": "all | item | department | bundle | hall"})
    code = fields.String()
    name = fields.String()
    count = fields.Integer()
    levels = fields.List(fields.Nested(LevelCountSchema))
    satisfied = fields.Integer(metadata={"description": "非常满意 + 满意 + 基本满意"})
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "satisfied / count; null without ratings"})


# -- staff -----------------------------------------------------------------------------------------------


class CaseQuerySchema(Schema):
    state = fields.String(validate=validate.OneOf(["awaiting", *rectifications.STATE_LABELS]), load_default="awaiting",
                          metadata={"description": "awaiting (open and reopened, default) or one state"})  # fmt: skip
    department = fields.String(validate=validate.Length(1, 40), metadata={"description": "admins only"})


class StaffReplySchema(ReplySchema):
    department = fields.String()
    overdue = fields.Boolean(metadata={"description": "the reply came after the deadline"})


class CaseSchema(Schema):
    id = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    subject_name = fields.String()
    subject_no = fields.String(allow_none=True)
    departments = fields.List(fields.String())
    department_names = fields.List(fields.String())
    hall = fields.String(allow_none=True)
    state = fields.String()
    state_label = fields.String()
    overdue = fields.Boolean()
    round = fields.Integer()
    opened_at = fields.String()
    opened_on = fields.String()
    deadline_on = fields.String()
    replied_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    level = fields.Integer()
    level_label = fields.String()
    tags = fields.List(fields.String())
    comment = fields.String()
    history = fields.List(fields.Nested(HistorySchema))
    replies = fields.List(fields.Nested(StaffReplySchema))


class CaseReplySchema(Schema):
    reply = fields.String(required=True, validate=validate.Length(1, rectifications.REPLY_MAX_CHARS))
    measures = fields.String(required=True, validate=validate.Length(1, rectifications.REPLY_MAX_CHARS),
                             metadata={"description": "整改措施"})  # fmt: skip
    department = fields.String(validate=validate.Length(1, 40), metadata={"description": "admins: answering for"})
