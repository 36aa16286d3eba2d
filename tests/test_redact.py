"""Redaction by value and by pattern, through every string of a report value."""

from __future__ import annotations

from arouter_conformance.redact import MASK, Redactor

KEY = "my-gateway-key-0123456789"


def test_keys_are_masked_by_value_even_url_encoded() -> None:
    redactor = Redactor([KEY, None, "abc"])  # None and too-short values are ignored
    assert (
        redactor.text(f"echo {KEY} and {KEY.replace('-', '%2D')}")
        == f"echo {MASK} and {KEY.replace('-', '%2D')}"
    )
    assert KEY not in redactor.text("url?key=my%2Dgateway")
    assert redactor.text("abc stays") == "abc stays"


def test_key_shapes_are_masked_by_pattern() -> None:
    redactor = Redactor()
    text = "Authorization: Bearer abc.def-123 then sk-or-v1-abcdef123 and lr_live_xyz_1"
    masked = redactor.text(text)
    assert "abc.def-123" not in masked
    assert "sk-or-v1-abcdef123" not in masked
    assert "lr_live_xyz_1" not in masked
    assert masked.count(MASK) == 3


def test_values_are_walked_keys_included() -> None:
    redactor = Redactor([KEY])
    value = {KEY: [f"x {KEY}", ("t", KEY)], "n": 3}
    assert redactor.value(value) == {MASK: [f"x {MASK}", ("t", MASK)], "n": 3}


def test_a_key_containing_another_is_masked_whole() -> None:
    redactor = Redactor(["secret-1234", "secret-1234-extended"])
    assert redactor.text("secret-1234-extended") == MASK


def test_a_key_cut_in_the_middle_is_masked_from_its_start() -> None:
    key = "QWERTYUIOPasdfghjkl0123456789"
    redactor = Redactor([key])
    for cut in (6, 9, 20, len(key) - 1):
        text = f"body … {key[:cut]}… [200 more chars]"
        assert key[:6] not in redactor.text(text)
    assert redactor.text("QWERT is no key") == "QWERT is no key"  # too short a start


def test_json_escaped_keys_are_masked() -> None:
    key = 'key/with/slashes-and-quote"0123'
    escaped = '{"echo": "' + key.replace("/", "\\/").replace('"', '\\"') + '"}'
    redactor = Redactor([key])
    assert "slashes" not in redactor.text(escaped.replace("\\/", "/"))


def test_keys_sharing_a_start_are_each_masked_whole() -> None:
    redactor = Redactor(["gw-unit-key-0123456789", "gw-unit-restricted-987654"])
    assert redactor.text("500 gw-unit-key-0123456789") == "500 [REDACTED]"
