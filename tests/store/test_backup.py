"""`flask backup create PATH --verify`: SQLite's online backup while another thread keeps writing."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from api.store import SQLiteStore
from api.store.backup import BackupError, create_backup, verify_backup


@pytest.fixture
def database(tmp_path):
    store = SQLiteStore(str(tmp_path / "live.sqlite3"))
    store["applications"].create_index([("applicant_id", 1)])
    yield store
    store.close()


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer thread stalled"
        time.sleep(0.01)


def keep_writing(store, stop: threading.Event, committed: list[int]) -> None:
    """Insert numbered documents, two collections per transaction, until told to stop."""
    number = 0
    while not stop.is_set():
        with store.transaction():
            store["applications"].insert_one({"_id": f"a{number:06d}", "n": number, "applicant_id": f"acc{number % 7}"})
            store["sub_applications"].insert_one({"_id": f"s{number:06d}", "application_id": f"a{number:06d}"})
        committed.append(number)
        number += 1
    store.close()


def test_a_backup_taken_during_writes_opens_passes_integrity_check_and_holds_every_transaction_committed_before_it(
    database, tmp_path
):
    stop, committed = threading.Event(), []
    writer = threading.Thread(target=keep_writing, args=(database, stop, committed))
    writer.start()
    try:
        wait_until(lambda: len(committed) >= 200)
        before = len(committed)
        made = create_backup(database, str(tmp_path / "backups" / "copy.sqlite3"))
        during = len(committed)
        wait_until(lambda: len(committed) >= during + 50)  # the writer was never blocked
    finally:
        stop.set()
        writer.join()

    checked = verify_backup(made["path"])
    copy = SQLiteStore(made["path"])
    numbers = sorted(doc["n"] for doc in copy["applications"].find({}))
    subs = {doc["application_id"] for doc in copy["sub_applications"].find({})}
    copy.close()

    assert checked["integrity"] == "ok"
    assert numbers == list(range(len(numbers)))  # a prefix of the writes: no gap, no torn transaction
    assert before <= len(numbers) <= len(committed)
    assert subs == {f"a{n:06d}" for n in numbers}  # both halves of each transaction, or neither
    assert checked["collections"] == {"applications": len(numbers), "sub_applications": len(numbers)}


def test_a_backup_does_not_overwrite_an_existing_file_unless_forced(database, tmp_path):
    database["things"].insert_one({"_id": 1})
    path = tmp_path / "copy.sqlite3"
    path.write_bytes(b"keep me")

    with pytest.raises(BackupError, match="exists"):
        create_backup(database, str(path))
    assert path.read_bytes() == b"keep me"

    create_backup(database, str(path), force=True)
    assert verify_backup(str(path))["collections"] == {"applications": 0, "things": 1}


def test_verify_reports_a_damaged_copy(database, tmp_path):
    database["things"].insert_many([{"_id": i, "text": "x" * 500} for i in range(200)])
    path = tmp_path / "copy.sqlite3"
    create_backup(database, str(path))
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 2 + 64] = b"\xff" * 64  # scribble over a b-tree page
    path.write_bytes(bytes(data))

    with pytest.raises(BackupError):
        verify_backup(str(path))


def test_the_backup_command_copies_the_app_database_and_verifies_it(app, tmp_path):
    app.extensions["store"]["things"].insert_one({"_id": "t1", "name": "张三"})
    path = tmp_path / "nightly.sqlite3"

    result = app.test_cli_runner().invoke(args=["backup", "create", str(path), "--verify"])

    assert result.exit_code == 0, result.output
    assert "integrity_check: ok" in result.output and "things: 1" in result.output
    assert sqlite3.connect(path).execute("SELECT doc FROM c_things").fetchone()[0] == '{"_id":"t1","name":"张三"}'


def test_the_backup_command_refuses_an_existing_file_with_a_clear_message(app, tmp_path):
    path = tmp_path / "nightly.sqlite3"
    path.write_bytes(b"old")

    result = app.test_cli_runner().invoke(args=["backup", "create", str(path)])

    assert result.exit_code == 1 and "exists" in result.output and path.read_bytes() == b"old"
