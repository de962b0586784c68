"""Settings come from ONETRIP_ environment variables over safe embedded defaults."""

import os
import stat

from api.config import load_config, read_or_create_secret


def test_defaults_are_the_embedded_mode_under_var():
    config = load_config(environ={})
    assert config["MONGODB_URI"] is None
    assert config["DATA_DIR"].endswith("var")
    assert config["KEYS_DIR"] == os.path.join(config["DATA_DIR"], "keys")
    assert config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


def test_environment_variables_override_defaults_with_their_types():
    config = load_config(
        environ={"ONETRIP_DATA_DIR": "/srv/x", "ONETRIP_ACCESS_TOKEN_SECONDS": "600", "MONGODB_URI": "mongodb://h"}
    )
    assert config["DATA_DIR"] == "/srv/x"
    assert config["ACCESS_TOKEN_SECONDS"] == 600
    assert config["MONGODB_URI"] == "mongodb://h"


def test_explicit_overrides_win_over_the_environment():
    assert load_config({"DATA_DIR": "/tmp/a"}, environ={"ONETRIP_DATA_DIR": "/srv/x"})["DATA_DIR"] == "/tmp/a"


def test_a_generated_secret_is_kept_with_owner_only_permissions_and_reused(tmp_path):
    keys = str(tmp_path / "keys")
    first = read_or_create_secret(keys, "k", lambda: b"one")
    second = read_or_create_secret(keys, "k", lambda: b"two")
    assert first == second == b"one"
    assert stat.S_IMODE(os.stat(os.path.join(keys, "k")).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o700


def test_threads_creating_the_same_secret_at_once_all_get_the_one_key_that_was_kept(tmp_path):
    import threading

    from api.config import read_or_create_secret

    results, errors = [], []
    start = threading.Barrier(8)

    def create(number: int) -> None:
        start.wait()
        try:
            results.append(read_or_create_secret(str(tmp_path), "shared.key", lambda: f"key-{number}".encode()))
        except Exception as error:  # noqa: BLE001 - any error is the failure this test looks for
            errors.append(error)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and results[0] == (tmp_path / "shared.key").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["shared.key"]


def test_the_appointment_rules_can_be_set_from_the_environment():
    from api.appointments.settings import AppointmentSettings
    from api.config import load_config

    config = load_config(environ={"ONETRIP_APPOINTMENTS_NO_SHOW_LIMIT": "5", "ONETRIP_APPOINTMENTS_REMINDER_HOURS": "48,2"})
    settings = AppointmentSettings.from_config(config)
    assert settings.no_show_limit == 5 and settings.reminder_hours == (48.0, 2.0)
    assert AppointmentSettings.from_config(load_config(environ={})).no_show_limit == 3
