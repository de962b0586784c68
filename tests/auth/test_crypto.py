"""Field encryption, blind indexes and masking: values come back only in their own field, under known keys."""

import base64
import os
import stat

import pytest

from auth.crypto import (
    DecryptionError,
    FieldCipher,
    KeyConfigurationError,
    field_cipher,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    new_kek,
)

ID_NUMBER = "430202199001011234"
FIELD = "registry_people.id_number"


@pytest.fixture
def keys_dir(tmp_path):
    return str(tmp_path / "keys")


@pytest.fixture
def cipher(keys_dir):
    return FieldCipher.from_config({"DATA_DIR": "unused", "KEYS_DIR": keys_dir})


def flip(token: str, position: int) -> str:
    prefix, payload = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[position] ^= 0x01
    return prefix + "." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_a_value_decrypts_to_itself_in_its_own_field(cipher):
    assert cipher.decrypt(cipher.encrypt(ID_NUMBER, FIELD), FIELD) == ID_NUMBER
    assert (
        cipher.decrypt(cipher.encrypt("湖南省株洲市天元区示例路1号", "a.address"), "a.address") == "湖南省株洲市天元区示例路1号"
    )


def test_a_ciphertext_is_a_compact_string_that_names_its_data_key(cipher):
    token = cipher.encrypt(ID_NUMBER, FIELD)
    version, kid, payload = token.split(".")
    assert (version, kid) == ("v1", "k1")
    assert len(base64.urlsafe_b64decode(payload + "==")) == 12 + len(ID_NUMBER) + 16
    assert ID_NUMBER not in token


def test_the_same_value_encrypts_differently_each_time(cipher):
    assert cipher.encrypt(ID_NUMBER, FIELD) != cipher.encrypt(ID_NUMBER, FIELD)


@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])  # nonce, ciphertext, tag
def test_a_ciphertext_with_one_flipped_bit_does_not_decrypt(cipher, position):
    token = cipher.encrypt(ID_NUMBER, FIELD)
    with pytest.raises(DecryptionError):
        cipher.decrypt(flip(token, position), FIELD)


def test_a_ciphertext_copied_into_another_field_does_not_decrypt(cipher):
    token = cipher.encrypt(ID_NUMBER, FIELD)
    with pytest.raises(DecryptionError, match="registry_people.household_address"):
        cipher.decrypt(token, "registry_people.household_address")


@pytest.mark.parametrize(
    "token", ["", "plain text", "v1.k1", "v2.k1.AAAA", "v1.k99.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "v1.k1.!!"]
)
def test_something_that_is_not_a_ciphertext_is_refused(cipher, token):
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, FIELD)


def test_after_rotation_new_values_use_the_new_key_and_old_ones_still_decrypt(cipher):
    old = cipher.encrypt(ID_NUMBER, FIELD)
    assert cipher.rotate() == "k2"
    new = cipher.encrypt(ID_NUMBER, FIELD)
    assert old.startswith("v1.k1.") and new.startswith("v1.k2.")
    assert cipher.decrypt(old, FIELD) == cipher.decrypt(new, FIELD) == ID_NUMBER


def test_a_cipher_started_before_a_rotation_decrypts_what_the_new_key_wrote(keys_dir):
    config = {"DATA_DIR": "unused", "KEYS_DIR": keys_dir}
    running, rotating = FieldCipher.from_config(config), FieldCipher.from_config(config)
    rotating.rotate()
    assert running.decrypt(rotating.encrypt(ID_NUMBER, FIELD), FIELD) == ID_NUMBER


def test_the_blind_index_is_deterministic_and_ignores_how_the_number_was_typed(cipher):
    assert cipher.blind_index("id_number", "43020219900101123x") == cipher.blind_index("id_number", " 43020219900101123X ")
    assert cipher.blind_index("phone", "+86 138-1234-5678") == cipher.blind_index("phone", "13812345678")


def test_the_blind_index_differs_per_kind_and_per_value(cipher):
    indexes = {
        cipher.blind_index("id_number", ID_NUMBER),
        cipher.blind_index("credit_code", ID_NUMBER),
        cipher.blind_index("phone", ID_NUMBER),
        cipher.blind_index("id_number", "430202199001011242"),
    }
    assert len(indexes) == 4


def test_the_blind_index_depends_on_the_installations_index_key(cipher, tmp_path):
    other = FieldCipher.from_config({"DATA_DIR": "unused", "KEYS_DIR": str(tmp_path / "other")})
    assert cipher.blind_index("id_number", ID_NUMBER) != other.blind_index("id_number", ID_NUMBER)
    assert ID_NUMBER not in cipher.blind_index("id_number", ID_NUMBER)


def test_key_files_are_readable_by_the_owner_only(cipher, keys_dir):
    names = sorted(os.listdir(keys_dir))
    assert names == ["field-dek-k1.wrapped", "field-index.wrapped", "field-kek.key"]
    for name in names:
        assert stat.S_IMODE(os.stat(os.path.join(keys_dir, name)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys_dir).st_mode) == 0o700


def test_data_keys_are_stored_only_wrapped(cipher, keys_dir):
    with open(os.path.join(keys_dir, "field-dek-k1.wrapped"), "rb") as handle:
        wrapped = handle.read()
    assert len(wrapped) == 12 + 32 + 16  # nonce, the key sealed under the KEK, tag


def test_a_kek_from_the_configuration_is_used_and_no_kek_file_is_written(keys_dir):
    config = {"DATA_DIR": "unused", "KEYS_DIR": keys_dir, "FIELD_KEK": new_kek()}
    token = FieldCipher.from_config(config).encrypt(ID_NUMBER, FIELD)
    assert FieldCipher.from_config(config).decrypt(token, FIELD) == ID_NUMBER
    assert "field-kek.key" not in os.listdir(keys_dir)


def test_a_wrong_kek_fails_to_unwrap_the_keys_with_a_clear_error(keys_dir):
    FieldCipher.from_config({"DATA_DIR": "unused", "KEYS_DIR": keys_dir, "FIELD_KEK": new_kek()})
    with pytest.raises(KeyConfigurationError, match="cannot be unwrapped with this FIELD_KEK"):
        FieldCipher.from_config({"DATA_DIR": "unused", "KEYS_DIR": keys_dir, "FIELD_KEK": new_kek()})


@pytest.mark.parametrize("kek", ["not base64 at all!", base64.b64encode(b"too short").decode()])
def test_a_malformed_kek_is_refused_with_a_clear_error(keys_dir, kek):
    with pytest.raises(KeyConfigurationError, match="base64 of 32 bytes"):
        FieldCipher.from_config({"DATA_DIR": "unused", "KEYS_DIR": keys_dir, "FIELD_KEK": kek})


def test_production_without_a_configured_kek_is_refused(keys_dir):
    with pytest.raises(KeyConfigurationError, match="ONETRIP_FIELD_KEK"):
        FieldCipher.from_config({"DATA_DIR": "unused", "KEYS_DIR": keys_dir, "MONGODB_URI": "mongodb://db.example:27017"})
    assert not os.path.exists(os.path.join(keys_dir, "field-kek.key"))


def test_the_app_keeps_one_cipher_under_its_keys_directory(app):
    cipher = field_cipher(app)
    assert field_cipher(app) is cipher
    assert cipher.keys_dir == app.config["KEYS_DIR"]
    with app.app_context():
        assert field_cipher() is cipher


@pytest.mark.parametrize(
    ("mask", "value", "masked"),
    [
        (mask_id_number, "430202199001011234", "4302**********1234"),
        (mask_id_number, "43020219900101123X", "4302**********123X"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_name, "张三丰", "张**"),
        (mask_name, "李娜", "李*"),
        (mask_name, "欧阳娜娜", "欧阳**"),
        (mask_name, "王", "*"),
        (mask_address, "湖南省株洲市天元区示例路12号", "湖南省株洲市天元区****"),
        (mask_address, "湖南省株洲市醴陵市示例一路3号2栋101室", "湖南省株洲市醴陵市****"),
        (mask_address, "湖南省株洲市攸县样例街5号", "湖南省株洲市攸县****"),
        (mask_address, "北京市朝阳区示例路1号", "北京市朝阳区****"),
        (mask_address, "示例路12号", "****"),
        (mask_id_number, None, None),
        (mask_phone, "", ""),
    ],
)
def test_masks_keep_only_what_identifies_nobody(mask, value, masked):
    assert mask(value) == masked
