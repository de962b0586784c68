"""Request bodies of the mini-program endpoints, and the examples the OpenAPI document (and docs/miniprogram.md) show."""

from marshmallow import Schema, fields, validate

CODE = validate.Length(min=1, max=128, error="授权凭证长度不正确")


class MiniProgramLoginSchema(Schema):
    code = fields.String(
        required=True,
        validate=CODE,
        metadata={"description": "wx.login 返回的 code（一次有效，5 分钟内）", "example": "0c3Kx1000TgQmV1Xq8200dJcvW2Kx10i"},
    )


class MiniProgramPhoneSchema(Schema):
    code = fields.String(
        required=True,
        validate=CODE,
        metadata={
            "description": "手机号快速验证组件 (open-type=getPhoneNumber) 返回的 code",
            "example": "e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144",
        },
    )


_ACCOUNT = {
    "id": "acc_Jq3vT0aXkQ2mWc9sLr7yBw",
    "roles": ["citizen"],
    "real_name_level": 0,
    "name": None,
    "phone": None,
    "id_number": None,
    "department": None,
    "hall": None,
    "created_at": "2026-11-30T04:00:00.000Z",
}
_TOKENS = {"access_token": "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhY2Nf…", "token_type": "Bearer",
           "expires_in": 900}  # fmt: skip

LOGIN_EXAMPLE = {"code": MiniProgramLoginSchema().fields["code"].metadata["example"]}
LOGIN_RESPONSE_EXAMPLE = {**_TOKENS, "account": _ACCOUNT, "created": True}
PHONE_EXAMPLE = {"code": MiniProgramPhoneSchema().fields["code"].metadata["example"]}
PHONE_RESPONSE_EXAMPLE = {**_TOKENS, "account": {**_ACCOUNT, "real_name_level": 1, "phone": "138****0001"}}
LOGIN_CODE_INVALID_EXAMPLE = {
    "status": 422,
    "code": "wechat_code_invalid",
    "message": "登录凭证已失效，请重新获取后再试",
    "errors": {"code": ["登录凭证无效或已使用"]},
}
PHONE_TAKEN_EXAMPLE = {
    "status": 409,
    "code": "phone_bound_elsewhere",
    "message": "该手机号已绑定其他账户，请用该手机号短信登录后再绑定微信，如有疑问请到服务大厅办理",
    "errors": {},
}
