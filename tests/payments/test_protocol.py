"""The v3 wire rules against the examples of the public documents (签名生成, 签名验证, 回调报文解密)."""

from __future__ import annotations

import base64
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from payments import protocol

DOC_TIMESTAMP, DOC_NONCE = "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242"  # the documents' example request


@pytest.fixture(scope="module")
def key():
    return protocol.load_private_key(protocol.new_rsa_pem())


def test_the_request_signing_string_is_the_documents_five_lines():
    message = protocol.request_message("GET", "/v3/certificates", DOC_TIMESTAMP, DOC_NONCE, "")

    assert message == "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"


def test_a_post_signs_the_exact_json_sent_and_the_url_keeps_its_query():
    body = '{"mchid":"1900000109"}'

    assert protocol.request_message("post", "/v3/x?a=1&b=2", "1", "N", body) == f"POST\n/v3/x?a=1&b=2\n1\nN\n{body}\n"


def test_the_response_signing_string_is_timestamp_nonce_body_each_on_its_line():
    assert (
        protocol.response_message(DOC_TIMESTAMP, DOC_NONCE, '{"a":1}')
        == '1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"a":1}\n'
    )


def test_the_authorization_header_has_the_documents_scheme_and_five_quoted_fields(key):
    header = protocol.authorization("1900009191", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", key, "GET", "/v3/certificates", "",
                                    timestamp=DOC_TIMESTAMP, nonce=DOC_NONCE)  # fmt: skip

    assert header.startswith(
        'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="'
    )
    assert header.endswith('",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"')
    fields = protocol.parse_authorization(header)
    signed = protocol.request_message("GET", "/v3/certificates", DOC_TIMESTAMP, DOC_NONCE, "").encode()
    key.public_key().verify(base64.b64decode(fields["signature"]), signed, padding.PKCS1v15(), hashes.SHA256())  # raises if not


def test_an_authorization_header_missing_a_field_or_of_another_scheme_is_refused():
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_authorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="2",timestamp="3",serial_no="4"')
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_authorization('Bearer mchid="1",nonce_str="2",signature="s",timestamp="3",serial_no="4"')


def test_a_platform_signature_verifies_within_five_minutes_and_not_after(key):
    body = '{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}'
    now = time.time()
    headers = protocol.signed_headers(key, "PUB_KEY_ID_1", body, timestamp=str(int(now) - 299))
    protocol.check_platform_signature(headers, body, key.public_key(), "PUB_KEY_ID_1", now=now)

    with pytest.raises(protocol.ProtocolError, match="5 minutes"):
        protocol.check_platform_signature(headers, body, key.public_key(), "PUB_KEY_ID_1", now=now + 2)
    with pytest.raises(protocol.ProtocolError, match="does not verify"):
        protocol.check_platform_signature(headers, body + " ", key.public_key(), "PUB_KEY_ID_1", now=now)


def test_a_resource_decrypts_with_the_apiv3_key_nonce_and_associated_data_and_not_if_any_differs():
    apiv3 = b"a12d3924fd499edac8a5efc7b3b2f5a1"  # 32 characters, as the documents' example key
    sealed = protocol.encrypt_resource(apiv3, '{"out_trade_no":"1217752501201407033233368018"}', "transaction", "transaction",
                                       nonce="fdasflkja484")  # fmt: skip

    assert sealed["algorithm"] == "AEAD_AES_256_GCM" and sealed["nonce"] == "fdasflkja484"
    assert protocol.decrypt_resource(apiv3, sealed) == '{"out_trade_no":"1217752501201407033233368018"}'
    for spoiled in ({**sealed, "associated_data": "refund"}, {**sealed, "nonce": "fdasflkja485"}):
        with pytest.raises(protocol.ProtocolError):
            protocol.decrypt_resource(apiv3, spoiled)
    with pytest.raises(protocol.ProtocolError):
        protocol.decrypt_resource(b"b" * 32, sealed)


def test_times_are_rfc3339_in_beijing_time_as_the_api_writes_them():
    import datetime as dt

    moment = dt.datetime(2015, 5, 20, 5, 29, 35, tzinfo=dt.UTC)

    assert protocol.rfc3339(moment) == "2015-05-20T13:29:35+08:00"
    assert protocol.parse_rfc3339("2015-05-20T13:29:35+08:00") == moment
