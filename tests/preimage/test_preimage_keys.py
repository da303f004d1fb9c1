"""Pre-image keys: layouts from the spec, kona's and op-program's constructors, codec round trips."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mauna.preimage import keys as K
from mauna.preimage.errors import PreimageError, PreimageKeyError
from mauna.preimage.keys import PreimageKey, PreimageKeyType
from mauna.primitives import keccak256

# keccak256("hello") and sha256("hello"), written out.
KECCAK_HELLO = bytes.fromhex("1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8")
SHA256_HELLO = bytes.fromhex("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")


def test_key_type_values() -> None:
    assert [(t.name, int(t)) for t in PreimageKeyType] == [
        ("LOCAL", 1),
        ("KECCAK256", 2),
        ("GLOBAL_GENERIC", 3),
        ("SHA256", 4),
        ("BLOB", 5),
        ("PRECOMPILE", 6),
    ]


def test_local_key_indices() -> None:
    assert (K.L1_HEAD_KEY, K.L2_OUTPUT_ROOT_KEY, K.L2_CLAIM_KEY) == (1, 2, 3)
    assert (K.L2_CLAIM_BLOCK_NUMBER_KEY, K.L2_CHAIN_ID_KEY) == (4, 5)
    assert (K.L2_ROLLUP_CONFIG_KEY, K.L1_CONFIG_KEY, K.DEPENDENCY_SET_KEY) == (6, 7, 8)
    assert (
        K.OP_PROGRAM_L2_CHAIN_CONFIG_KEY,
        K.OP_PROGRAM_ROLLUP_CONFIG_KEY,
        K.OP_PROGRAM_DEPENDENCY_SET_KEY,
        K.OP_PROGRAM_L1_CHAIN_CONFIG_KEY,
    ) == (6, 7, 8, 9)


def test_local_key_layout() -> None:
    # op-program: out[0] = 1; binary.BigEndian.PutUint64(out[24:], idx). kona: data[23..] = idx.
    assert K.local_key(1).encode() == bytes.fromhex("01" + "00" * 30 + "01")
    assert K.local_key(0x0102030405060708).encode() == bytes.fromhex("01" + "00" * 23 + "0102030405060708")
    assert K.local_key(K.L2_CHAIN_ID_KEY).local_index == 5
    assert K.local_key(0xFF).hex() == "0x01" + "00" * 30 + "ff"


@pytest.mark.parametrize("bad", [-1, 1 << 248, True, "1"])
def test_local_key_rejects(bad: object) -> None:
    with pytest.raises(PreimageKeyError):
        K.local_key(bad)  # type: ignore[arg-type]


def test_keccak_and_sha_keys() -> None:
    assert keccak256(b"hello") == KECCAK_HELLO
    assert hashlib.sha256(b"hello").digest() == SHA256_HELLO
    k = K.keccak256_key_for(b"hello")
    assert k.encode() == bytes.fromhex("028aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8")
    assert k == K.keccak256_key(KECCAK_HELLO)
    s = K.sha256_key_for(b"hello")
    assert s.encode() == bytes.fromhex("04f24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    assert s == K.sha256_key(SHA256_HELLO)


def test_versioned_hash_maps_to_commitment_sha_key() -> None:
    commitment = bytes(range(48))
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    assert K.sha256_key(versioned) == K.sha256_key_for(commitment)


def test_blob_key() -> None:
    commitment = bytes([0xAB]) * 48
    z = 7
    digest = keccak256(commitment + (7).to_bytes(32, "big"))
    assert K.blob_key(commitment, z).encode() == b"\x05" + digest[1:]
    assert K.blob_key(commitment, (7).to_bytes(32, "big")) == K.blob_key(commitment, z)
    assert K.blob_key_preimage(commitment, z) == commitment + (7).to_bytes(32, "big")
    with pytest.raises(PreimageKeyError):
        K.blob_key(commitment[:47], z)
    with pytest.raises(PreimageKeyError):
        K.blob_key(commitment, 1 << 256)


def test_precompile_key() -> None:
    addr = bytes(19) + b"\x01"  # ecrecover
    data = bytes(range(128))
    legacy = keccak256(addr + data)
    assert K.precompile_key(addr, data).encode() == b"\x06" + legacy[1:]
    with_gas = keccak256(addr + (3000).to_bytes(8, "big") + data)
    assert K.precompile_key(addr, data, 3000).encode() == b"\x06" + with_gas[1:]
    assert K.precompile_key_preimage(addr, data, 3000) == addr + bytes.fromhex("0000000000000bb8") + data
    with pytest.raises(PreimageKeyError):
        K.precompile_key(addr[1:], data)
    with pytest.raises(PreimageKeyError):
        K.precompile_key(addr, data, 1 << 64)


def test_global_generic_key() -> None:
    x = bytes([1]) * 32
    sender = bytes([2]) * 20
    expected = keccak256(x + bytes(12) + sender)
    assert K.global_generic_key(x, sender).encode() == b"\x03" + expected[1:]
    assert K.global_generic_key(x, bytes(12) + sender) == K.global_generic_key(x, sender)


def test_kona_vectors() -> None:
    # kona key.rs: PreimageKey::new([0xFF; 32], Local) displays as 0x01ff..ff, key_value 2^248 - 1.
    key = PreimageKey.from_digest(PreimageKeyType.LOCAL, b"\xff" * 32)
    assert str(key) == "0x01" + "ff" * 31
    assert key.local_index == (1 << 248) - 1
    for kt in PreimageKeyType:
        assert PreimageKey.from_digest(kt, b"\xff" * 32).encode() == bytes([kt]) + b"\xff" * 31


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x00" * 32, "type 0 is illegal"),
        (b"\x07" + b"\x00" * 31, "unknown pre-image key type 7"),
        (b"\x81" + b"\x00" * 31, "unknown pre-image key type 129"),
        (b"\x02" * 31, "expected 32 bytes, got 31"),
        (b"\x02" * 33, "expected 32 bytes, got 33"),
        (b"", "expected 32 bytes, got 0"),
    ],
)
def test_decode_rejects(raw: bytes, message: str) -> None:
    with pytest.raises(PreimageKeyError, match=message):
        PreimageKey.decode(raw)


def test_constructor_validates() -> None:
    with pytest.raises(PreimageKeyError):
        PreimageKey(PreimageKeyType.KECCAK256, b"\x00" * 30)
    with pytest.raises(PreimageKeyError):
        PreimageKey(9, b"\x00" * 31)  # type: ignore[arg-type]
    key = PreimageKey(2, bytearray(31))  # type: ignore[arg-type]
    assert key.key_type is PreimageKeyType.KECCAK256
    assert isinstance(key.data, bytes)
    assert repr(key) == "PreimageKey(KECCAK256, 0x02" + "00" * 31 + ")"


@given(st.sampled_from(list(PreimageKeyType)), st.binary(min_size=31, max_size=31))
def test_roundtrip(key_type: PreimageKeyType, data: bytes) -> None:
    key = PreimageKey(key_type, data)
    raw = key.encode()
    assert len(raw) == 32
    assert raw[0] == key_type
    assert PreimageKey.decode(raw) == key
    assert hash(PreimageKey.decode(raw)) == hash(key)


@given(st.binary(max_size=40))
def test_decode_fuzz(raw: bytes) -> None:
    try:
        key = PreimageKey.decode(raw)
    except PreimageError:
        assert len(raw) != 32 or raw[0] not in range(1, 7)
    else:
        assert key.encode() == raw
