"""The platform port: one access_token shared by every process, one refresh and one retry on 40001/42001."""

from __future__ import annotations

import multiprocessing

import pytest

from api.config import load_config
from api.store import open_store
from wechat.platform import TOKENS, PlatformError, PlatformUnavailable, access_token, call
from wechat.sandbox import openid_for

SEND = "/cgi-bin/message/subscribe/send"


@pytest.fixture
def platform_config(tmp_path, wechat_sandbox):
    return load_config({"DATA_DIR": str(tmp_path / "var"), "WECHAT_API_BASE": wechat_sandbox.url}, environ={})


@pytest.fixture
def plain_store(platform_config):
    return open_store(platform_config)


def message(**data) -> dict:
    return {
        "touser": openid_for("wx8888888888888888", "alice"),
        "template_id": "tpl-application-approved",
        "page": "pages/applications/detail?id=1",
        "data": data or {"thing1": {"value": "不动产登记"}, "phrase2": {"value": "已办结"}},
    }


def _tokens_in_a_process(config, barrier, results):
    store = open_store(config)
    barrier.wait(timeout=60)
    results.put([access_token(store, config) for _ in range(5)])


def test_two_processes_share_one_token_and_the_platform_sees_one_refresh(platform_config, wechat_sandbox, plain_store):
    wechat_sandbox.state.token_delay = 0.3  # the first refresher is still waiting when the second asks
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_tokens_in_a_process, args=(platform_config, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    tokens = results.get(timeout=60) + results.get(timeout=60)
    for worker in workers:
        worker.join(timeout=10)
        assert worker.exitcode == 0
    assert len(tokens) == 10 and len(set(tokens)) == 1
    assert wechat_sandbox.token_counts() == {"calls": 1, "issued": 1}
    assert plain_store[TOKENS].find_one({})["refreshes"] == 1


@pytest.mark.parametrize("spoil, errcode", [("invalidate", 40001), ("expire", 42001)])
def test_a_rejected_token_is_refreshed_once_and_the_call_retried_once(
    spoil, errcode, platform_config, wechat_sandbox, plain_store
):
    first = access_token(plain_store, platform_config)
    wechat_sandbox.control("POST", f"/tokens/{spoil}")
    answer = call(plain_store, platform_config, SEND, message())
    assert answer["errcode"] == 0
    assert wechat_sandbox.token_counts() == {"calls": 2, "issued": 2}
    assert access_token(plain_store, platform_config) != first
    assert len(wechat_sandbox.control("GET", "/messages")) == 1


def test_other_errcodes_raise_without_a_refresh(platform_config, wechat_sandbox, plain_store):
    refused = message()
    wechat_sandbox.control("POST", "/refusals", json={"openid": refused["touser"]})
    with pytest.raises(PlatformError) as refusal:
        call(plain_store, platform_config, SEND, refused)
    assert refusal.value.errcode == 43101
    with pytest.raises(PlatformError) as too_long:
        call(plain_store, platform_config, SEND, message(thing1={"value": "不动产登记" * 5}))
    assert too_long.value.errcode == 47003 and "data.thing1.value" in too_long.value.errmsg
    assert wechat_sandbox.token_counts() == {"calls": 1, "issued": 1}
    assert wechat_sandbox.control("GET", "/messages") == []


def test_a_token_inside_its_refresh_margin_is_asked_for_again(platform_config, wechat_sandbox, plain_store):
    token = access_token(plain_store, platform_config)
    record = plain_store[TOKENS].find_one({})
    assert record["refresh_at"] < record["expires_at"]
    plain_store[TOKENS].update_one({"_id": record["_id"]}, {"$set": {"refresh_at": "2000-01-01T00:00:00.000Z"}})
    assert access_token(plain_store, platform_config) == token  # the platform's stable token is still good
    assert wechat_sandbox.token_counts()["calls"] == 2
    assert plain_store[TOKENS].find_one({})["refresh_at"] > record["updated_at"]


def test_an_unreachable_platform_is_unavailable_and_leaves_no_lease(tmp_path, plain_store):
    config = load_config({"DATA_DIR": str(tmp_path / "var"), "WECHAT_API_BASE": "http://127.0.0.1:9"}, environ={})
    with pytest.raises(PlatformUnavailable):
        call(plain_store, config, SEND, message())
    record = plain_store[TOKENS].find_one({})
    assert record["token"] is None and record["lease_until"] < "2000"


def test_wrong_credentials_are_a_platform_error(tmp_path, wechat_sandbox, plain_store):
    config = load_config(
        {"DATA_DIR": str(tmp_path / "var"), "WECHAT_API_BASE": wechat_sandbox.url, "WECHAT_SECRET": "wrong"}, environ={}
    )
    with pytest.raises(PlatformError) as error:
        access_token(plain_store, config)
    assert error.value.errcode == 40125


def test_a_lease_left_by_a_dead_refresher_is_taken_over_once_it_runs_out(platform_config, wechat_sandbox, plain_store):
    from api.clock import iso_in

    plain_store[TOKENS].insert_one(
        {"_id": "wx8888888888888888", "token": None, "refresh_at": "1970-01-01T00:00:00.000Z", "lease_until": iso_in(0.4),
         "lease_owner": "lease_dead", "refreshes": 0}
    )  # fmt: skip
    assert access_token(plain_store, platform_config)
    assert wechat_sandbox.token_counts() == {"calls": 1, "issued": 1}
    assert plain_store[TOKENS].find_one({})["lease_owner"] != "lease_dead"
