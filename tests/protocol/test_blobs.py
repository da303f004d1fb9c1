"""OP blob encoding and versioned hashes (protocol/ecotone/derivation.md "Blob Encoding")."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mauna.errors import BlobError
from mauna.protocol.blobs import (
    BLOB_SIZE,
    ENCODING_VERSION,
    MAX_BLOB_DATA_SIZE,
    decode_blob,
    encode_blob,
    kzg_to_versioned_hash,
)

KONA = Path(__file__).parents[1] / "fixtures" / "kona"


def _sidecars() -> list[dict[str, str]]:
    doc = json.loads((KONA / "providers" / "eth_v1_beacon_sidecars_goerli.json").read_text())
    sidecars: list[dict[str, str]] = doc["data"]
    return sidecars


def test_constants() -> None:
    assert BLOB_SIZE == 131_072
    assert MAX_BLOB_DATA_SIZE == 130_044
    assert ENCODING_VERSION == 0


def test_small_blob_layout() -> None:
    blob = encode_blob(b"hello")
    assert len(blob) == BLOB_SIZE
    expected = bytearray(BLOB_SIZE)
    expected[1] = 0  # version
    expected[2:5] = b"\x00\x00\x05"  # length
    expected[5:10] = b"hello"
    assert blob == bytes(expected)
    assert decode_blob(blob) == b"hello"


def test_spread_bytes_layout() -> None:
    # Stream bytes 31, 63 and 95 (x, y, z of round 0) are data[27], data[59], data[91].
    data = bytearray(b"\x11" * 92)
    data[27], data[59], data[91] = 0xFF, 0xAB, 0xC5
    blob = encode_blob(bytes(data))
    assert blob[0] == 0xFF & 0x3F  # A = x & 0b0011_1111
    assert blob[1:5] == b"\x00\x00\x00\x5c"
    assert blob[5:32] == data[:27]
    assert blob[32] == (0xAB & 0x0F) | ((0xFF & 0xC0) >> 2) == 0x3B  # B
    assert blob[33:64] == data[28:59]
    assert blob[64] == 0xC5 & 0x3F == 0x05  # C
    assert blob[65:96] == data[60:91]
    assert blob[96] == ((0xC5 & 0xC0) >> 2) | ((0xAB & 0xF0) >> 4) == 0x3A  # D
    assert blob[97:128] == bytes(31)
    assert not any(blob[128:])
    assert decode_blob(blob) == bytes(data)


def test_full_blob_uses_last_round() -> None:
    data = bytes([0xFF]) * MAX_BLOB_DATA_SIZE
    blob = encode_blob(data)
    # every field element's first byte holds 6 bits, all set
    assert set(blob[::32]) == {0x3F}
    assert blob[-31:] == b"\xff" * 31
    assert decode_blob(blob) == data


@settings(max_examples=100, deadline=None)
@given(st.integers(0, MAX_BLOB_DATA_SIZE), st.integers(0, 2**32 - 1))
@example(0, 0)
@example(1, 1)
@example(27, 2)
@example(28, 3)
@example(123, 4)
@example(124, 5)
@example(MAX_BLOB_DATA_SIZE - 1, 6)
@example(MAX_BLOB_DATA_SIZE, 7)
def test_roundtrip(size: int, seed: int) -> None:
    data = random.Random(seed).randbytes(size)
    blob = encode_blob(data)
    assert len(blob) == BLOB_SIZE
    assert all(b < 0x40 for b in blob[::32])
    assert decode_blob(blob) == data
    assert encode_blob(decode_blob(blob)) == blob


def test_encode_too_large() -> None:
    with pytest.raises(BlobError, match="130045 exceeds MAX_BLOB_DATA_SIZE 130044"):
        encode_blob(bytes(MAX_BLOB_DATA_SIZE + 1))


def test_decode_invalid() -> None:
    good = encode_blob(b"abc")
    with pytest.raises(BlobError, match="131071 bytes"):
        decode_blob(good[:-1])
    bad = bytearray(good)
    bad[1] = 1
    with pytest.raises(BlobError, match="encoding version is 1"):
        decode_blob(bytes(bad))
    bad = bytearray(good)
    bad[2:5] = (MAX_BLOB_DATA_SIZE + 1).to_bytes(3, "big")
    with pytest.raises(BlobError, match="130045 exceeds"):
        decode_blob(bytes(bad))
    bad = bytearray(good)
    bad[4095 * 32] = 0x40
    with pytest.raises(BlobError, match=r"field element 4095 has its top two bits set \(first byte 0x40\)"):
        decode_blob(bytes(bad))
    bad = bytearray(good)
    bad[7 * 32] = 0x80
    with pytest.raises(BlobError, match="field element 7 has its top two bits"):
        decode_blob(bytes(bad))


def test_decode_rejects_trailing_non_zero() -> None:
    good = encode_blob(b"abc")
    bad = bytearray(good)
    bad[100] = 1  # element 3's low bytes: stream offset 99, after the 3 data bytes
    with pytest.raises(
        BlobError, match=r"non-zero byte 0x01 at stream offset 99, after the 3-byte data \(field element 3\)"
    ):
        decode_blob(bytes(bad))
    bad = bytearray(good)
    bad[0] = 0x01  # x of round 0: stream offset 31
    with pytest.raises(BlobError, match="stream offset 31"):
        decode_blob(bytes(bad))
    bad = bytearray(good)
    bad[BLOB_SIZE - 1] = 0x10  # last byte of the last round
    with pytest.raises(BlobError, match="stream offset 130047"):
        decode_blob(bytes(bad))
    # A byte that belongs to the data is fine.
    ok = bytearray(good)
    ok[5] = ord("x")
    assert decode_blob(bytes(ok)) == b"xbc"


def test_real_sidecar_blobs_are_not_op_encoded() -> None:
    for sidecar in _sidecars():
        blob = bytes.fromhex(sidecar["blob"][2:])
        assert len(blob) == BLOB_SIZE
        with pytest.raises(BlobError):
            decode_blob(blob)


def test_versioned_hashes_of_real_sidecars() -> None:
    expected = [
        ("011075cb", "f586"),
        ("010a9e10", "b4e6"),
        ("016122c8", "6b4a"),
        ("01df1f9a", "c309"),
        ("01e5ee2f", "ef3c"),
    ]
    sidecars = _sidecars()
    assert [int(s["index"]) for s in sidecars] == [0, 1, 2, 3, 4]
    for sidecar, (head, tail) in zip(sidecars, expected, strict=True):
        versioned = kzg_to_versioned_hash(bytes.fromhex(sidecar["kzg_commitment"][2:])).hex()
        assert len(versioned) == 64
        assert versioned.startswith(head)
        assert versioned.endswith(tail)
    with pytest.raises(BlobError, match="47 bytes"):
        kzg_to_versioned_hash(bytes(47))


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=0, max_size=64))
def test_fuzz_random_bytes(data: bytes) -> None:
    blob = (data * (BLOB_SIZE // max(len(data), 1) + 1))[:BLOB_SIZE] if data else data
    try:
        decode_blob(blob)
    except BlobError:
        return


_VALID = encode_blob(random.Random(42).randbytes(5000))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fuzz_mutated_blob(seed: int) -> None:
    rng = random.Random(seed)
    blob = bytearray(_VALID)
    for _ in range(rng.randrange(1, 4)):
        # bias towards the header and the used rounds
        pos = rng.randrange(6) if rng.random() < 0.3 else rng.randrange(BLOB_SIZE)
        blob[pos] = rng.randrange(256)
    try:
        data = decode_blob(bytes(blob))
    except BlobError:
        return
    assert encode_blob(data) == bytes(blob)
