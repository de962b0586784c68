"""marshmallow's field errors in Chinese: the API shows them next to the field the person typed in.

Set once at start-up on marshmallow's own defaults, so every schema speaks the same language.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_FIELD = {"required": "此项为必填项", "null": "此项不能为空", "validator_failed": "填写的内容无效"}
_BY_TYPE = {
    fields.String: {"invalid": "请填写文字", "invalid_utf8": "文字编码无效"},
    fields.Integer: {"invalid": "请填写整数"},
    fields.Number: {"invalid": "请填写数字", "too_large": "数字过大"},
    fields.Float: {"special": "请填写有效的数字"},
    fields.Boolean: {"invalid": "请填写是或否"},
    fields.DateTime: {
        "invalid": "请填写有效的日期时间",
        "invalid_awareness": "请填写带时区的日期时间",
        "format": "日期时间格式无效",
    },
    fields.Date: {"invalid": "请填写有效的日期", "format": "日期格式无效"},
    fields.List: {"invalid": "应为列表"},
    fields.Dict: {"invalid": "应为对象"},
    fields.Nested: {"type": "格式无效"},
    fields.Email: {"invalid": "请填写有效的电子邮箱"},
}


def install_chinese_messages() -> None:
    fields.Field.default_error_messages.update(_FIELD)
    for field_type, messages in _BY_TYPE.items():
        field_type.default_error_messages = {**field_type.default_error_messages, **messages}
    Schema._default_error_messages = {"type": "请求内容格式无效", "unknown": "不认识的字段"}
    validate.Length.message_min = "至少{min}个字符"
    validate.Length.message_max = "最多{max}个字符"
    validate.Length.message_all = "长度应在{min}到{max}之间"
    validate.Length.message_equal = "长度应为{equal}"
    validate.OneOf.default_message = "应为以下之一：{choices}"
    validate.Regexp.default_message = "格式不正确"
    validate.Range.message_min = "应{min_op}{{min}}"
    validate.Range.message_max = "应{max_op}{{max}}"
    validate.Range.message_all = "应{min_op}{{min}}且{max_op}{{max}}"
    validate.Range.message_gt, validate.Range.message_gte = "大于", "不小于"
    validate.Range.message_lt, validate.Range.message_lte = "小于", "不大于"
