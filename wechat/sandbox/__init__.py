"""The sandbox messaging platform: the mini-program server API we use, on loopback (127.0.0.1:8020).

`python -m wechat.sandbox` serves it for `make run`; tests build `Sandbox.from_config(config)` and
serve `sandbox.app` on a free port in a thread (tests/wechat/conftest.py). Its state is in memory.

Platform endpoints (same paths, parameters, answers and errcodes as the public documents):
- `POST /cgi-bin/stable_token` {grant_type, appid, secret, force_refresh}: normal mode hands back the
  current token while it has more than 5 minutes left, else a new one; force_refresh invalidates the
  old one. `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=` always issues a new one
  (the previous one stays good for 5 more minutes). Bad appid 40013, bad secret 40125.
- `GET /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code`.
- `POST /wxa/business/getuserphonenumber?access_token=` {code}.
- `POST /cgi-bin/message/subscribe/send?access_token=` {touser, template_id, page, data, …}:
  recorded; 40003 bad openid, 40037 no template, 43101 the user refused (see below), 47003 a data
  field breaks its type's rule (fields.py: thing ≤ 20 characters, phrase ≤ 5 Han characters, …).
- An access_token it did not issue, or one invalidated, is 40001; one past its expiry is 42001;
  none is 41001.

How a test makes codes (each code works once; a second use is 40163, a malformed one 40029):
- wx.login code: `mp-<who>` or `mp-<who>.<anything>` — the openid (28 characters, starts with "o")
  and the unionid depend on the app id and <who> only, so `mp-alice.1` and `mp-alice.2` are two
  logins of the same person; the session_key is new each time. `openid_for(appid, who)` computes it.
- phone code: `phone-<11 digits>[.<anything>]` returns that mainland number (countryCode 86);
  `phone-<country code>-<digits>[.<anything>]` a number of another country or region.

Test controls (not part of the platform):
- `POST /_sandbox/tokens/expire` (every issued token now answers 42001),
  `POST /_sandbox/tokens/invalidate` (40001), `GET /_sandbox/tokens` → {calls, issued}
  (token endpoint calls, and tokens minted).
- `GET /_sandbox/messages` → the subscription messages accepted, oldest first; `DELETE` clears them.
- `POST /_sandbox/refusals` {openid, template_id?}: that user refuses that template (or every
  template) → 43101; `DELETE /_sandbox/refusals` clears the refusals.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from ..settings import WechatSettings
from .app import SandboxState, create_sandbox, openid_for, unionid_for

__all__ = ["Sandbox", "SandboxState", "openid_for", "unionid_for"]


@dataclass
class Sandbox:
    settings: WechatSettings
    app: Flask
    state: SandboxState

    @classmethod
    def from_config(cls, config, token_seconds: int = 7200) -> Sandbox:
        settings = WechatSettings.from_config(config)
        state = SandboxState(token_seconds=token_seconds)
        return cls(settings, create_sandbox(settings, state), state)
