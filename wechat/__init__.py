"""The messaging mini-program channel (微信小程序): the platform's server API and the accounts bound to it.

- settings.py: the app id, secret and API base from api/config.py (WECHAT_*).
- platform.py: the shared access_token and `call()` for any server API (errcode handling, one retry).
- accounts.py: openid bindings, the mini-program login and the verified phone (L1 without SMS).
- routes.py / schemas.py: /api/v1/auth/miniprogram/… (login, phone, binding).
- sandbox/: the same server API on 127.0.0.1:8020 for `make run` and the tests.
"""
