"""Hostile input to the application endpoints: files whose name lies about them, decompression
bombs, a 100 MB body, JSON nested 10 000 deep, texts over every limit, control characters and
right-to-left overrides. Each is refused with the one error body and leaves nothing stored; the
only thing neutralised rather than refused is an upload's file name, which the browser sends and
nobody types."""

from __future__ import annotations

import select
import socket
import struct
import threading
import zlib
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.applications.conftest import start, tiny_pdf, tiny_png, upload

API = "/api/v1"


def _snapshot(store, application_id: str) -> tuple:
    return (
        store["applications"].find_one({"_id": application_id}),
        store["uploads"].count_documents({}),
        store["application_events"].count_documents({"application_id": application_id}),
    )


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def png(width: int, height: int, pixels: bytes | None = None, crc_ok: bool = True) -> bytes:
    """A PNG declaring width×height, grey; `pixels` None: the IDAT is one compressed row of zeros only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) if crc_ok or kind != b"IHDR" else 0
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(pixels if pixels is not None else b"\x00" * (width + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "photo.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "licence.pdf"),
        (b"PK\x03\x04" + b"\x00" * 64, "scan.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "plan.png"),
    ],
    ids=["HTML named .png", "EXE named .pdf", "ZIP named .jpg", "SVG named .png"],
)
def test_a_file_whose_content_is_not_a_pdf_jpeg_or_png_is_422_whatever_its_name(restaurateur, store, app, content, filename):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = upload(owner, draft, "food_layout_plan", content, filename)

    assert response.status_code == 422 and response.get_json()["code"] == "unsupported_file_type"
    assert _snapshot(store, draft["id"]) == before and _stored_files(app) == []


def test_a_pdf_named_jpg_is_kept_as_the_pdf_it_is(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    assert upload(owner, draft, "food_layout_plan", tiny_pdf(), "photo.jpg").status_code == 200
    assert store["uploads"].find_one({})["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        png(100_000, 100_000),  # 10 gigapixels declared in a few hundred bytes: Pillow's DecompressionBombError
        png(8_000, 6_000, pixels=b"\x00" * (8_001 * 6_000)),  # 48 MP of zeros: ~140 KB that decode to 48 MB
        png(1, 1, crc_ok=False),  # a header whose checksum is wrong
        tiny_png()[:40],  # cut off after the header
    ],
    ids=["declares ten gigapixels", "small file that expands past the limit", "broken checksum", "truncated"],
)
def test_an_image_that_is_a_decompression_bomb_or_does_not_open_is_422_and_nothing_is_stored(restaurateur, store, app, content):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = upload(owner, draft, "food_layout_plan", content, "plan.png")

    assert response.status_code == 422 and response.get_json()["code"] == "unsupported_file_type", response.get_json()
    assert _snapshot(store, draft["id"]) == before and _stored_files(app) == []


def test_an_upload_s_file_name_is_kept_without_control_characters_or_direction_overrides(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    assert upload(owner, draft, "food_layout_plan", tiny_png(), "平面图\u202egnp.exe\x00\x07.png").status_code == 200
    assert store["uploads"].find_one({})["filename"] == "平面图gnp.exe.png"


def _send_huge_body(url_host: str, port: int, path: str, headers: dict, total: int, chunked: bool) -> tuple[int, int]:
    """Stream `total` bytes to a real server until it answers; (status, bytes sent before the answer)."""
    connection = socket.create_connection((url_host, port), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: {url_host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n"
    connection.sendall((head + "\r\n").encode())
    block, sent = b"0" * 65_536, 0
    try:
        while sent < total:
            if select.select([connection], [], [], 0)[0]:
                break  # the server has answered
            payload = (b"%x\r\n" % len(block) + block + b"\r\n") if chunked else block
            connection.sendall(payload)
            sent += len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = b""
    while b"\r\n" not in answer:
        answer += connection.recv(4096)
    connection.close()
    return int(answer.split(b" ")[1]), sent


@pytest.mark.parametrize("chunked", [False, True], ids=["with Content-Length", "chunked, no length"])
@pytest.mark.parametrize("kind", ["upload", "json"])
def test_a_100_mb_body_is_413_before_it_is_read_to_the_end_and_one_without_a_length_411(restaurateur, store, app, chunked, kind):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        if kind == "upload":
            path = f"{API}/applications/{draft['id']}/materials/food_layout_plan/upload"
            content_type = "multipart/form-data; boundary=x"
        else:
            path, content_type = f"{API}/applications/{draft['id']}/submit", "application/json"
        headers = {**owner.headers, "Content-Type": content_type}
        status, sent = _send_huge_body("127.0.0.1", server.server_port, path, headers, 100 * 1024 * 1024, chunked)
    finally:
        server.shutdown()
        thread.join(timeout=5)

    assert status == (411 if chunked else 413)  # a body of unknown length is refused before a byte of it is read
    assert sent <= 20 * 1024 * 1024, f"{sent} bytes were taken before the refusal"
    assert store["uploads"].count_documents({}) == 0
    assert store["applications"].find_one({"_id": draft["id"]})["version"] == draft["version"]


@pytest.mark.parametrize(
    "body",
    ["[" * 10_000 + "]" * 10_000, '{"values":' * 10_000 + "{}" + "}" * 10_000, '{"values": {"shop.seats": NaN}, "version": 1}'],
    ids=["10 000 nested lists", "10 000 nested objects", "NaN"],
)
def test_json_nested_10_000_deep_or_with_nan_is_400_and_nothing_is_stored(restaurateur, store, body):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = owner.client.patch(f"{API}/applications/{draft['id']}", data=body, headers=owner.headers,
                                  content_type="application/json")  # fmt: skip

    assert response.status_code == 400 and response.get_json()["code"] == "invalid_json"
    assert _snapshot(store, draft["id"]) == before


def test_a_text_over_its_limit_in_every_text_field_of_a_form_is_422_naming_the_field(restaurateur, store):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])
    texts = [f for f in draft["fields"] if f["type"] in ("string", "address")]
    assert len(texts) >= 5

    for field in texts:
        for length in {field.get("max_length") or 10_000, 10_000}:
            response = owner.patch(f"/applications/{draft['id']}", json={"values": {field["name"]: "长" * (length + 1)},
                                                                        "version": draft["version"]})  # fmt: skip
            assert response.status_code == 422, (field["name"], length, response.get_json())
            assert response.get_json()["errors"], field["name"]
    assert _snapshot(store, draft["id"]) == before


@pytest.mark.parametrize(
    "text",
    ["湘味\u202e馆小", "湘味\u2066小馆\u2069", "湘味\x00小馆", "湘味\x1b[31m小馆", "湘味\x85小馆"],
    ids=["right-to-left override", "isolate", "NUL", "terminal escape", "C1 control"],
)
def test_control_characters_and_direction_overrides_in_a_name_are_422_and_nothing_is_stored(restaurateur, store, text):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")
    before = _snapshot(store, draft["id"])

    response = owner.patch(f"/applications/{draft['id']}", json={"values": {"shop.name": text}, "version": draft["version"]})

    assert response.status_code == 422 and "values.shop.name" in response.get_json()["errors"]
    assert _snapshot(store, draft["id"]) == before


def test_a_name_with_a_line_break_or_tab_is_not_refused_for_it(restaurateur):
    owner = restaurateur()
    draft = start(owner, bundle="open-restaurant")

    response = owner.patch(
        f"/applications/{draft['id']}", json={"values": {"shop.name": "湘味\t小馆\r\n"}, "version": draft["version"]}
    )

    assert response.status_code == 200
