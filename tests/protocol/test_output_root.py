"""Output root v0 against kona's vector (protocol/proposals.md, "L2 Output Commitment Construction")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.primitives.bytes import keccak256
from mauna.protocol.output_root import OUTPUT_VERSION_V0, OutputRootError, OutputRootV0

VECTORS = Path(__file__).parents[1] / "fixtures" / "kona" / "vectors" / "l1_info_and_output_root.json"


def vector() -> dict[str, str]:
    data: dict[str, dict[str, str]] = json.loads(VECTORS.read_text())
    return data["output_root_v0"]


def h(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def test_kona_vector_encoding_and_hash() -> None:
    v = vector()
    root = OutputRootV0(h(v["state_root"]), h(v["message_passer_storage_root"]), h(v["block_hash"]))
    assert root.encode() == h(v["encoding"])
    assert len(root.encode()) == 128
    assert root.hash() == h(v["hash"])
    assert root.hash() == h("0x0c39fb6b07cf6694b13e63e59f7b15255be1c93a4d6d3e0da6c99729647c0d11")


def test_field_order_is_state_root_then_storage_root_then_block_hash() -> None:
    a, b, c = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
    encoded = OutputRootV0(a, b, c).encode()
    assert encoded == OUTPUT_VERSION_V0 + a + b + c
    assert OutputRootV0(b, a, c).hash() != OutputRootV0(a, b, c).hash()


def test_decode_kona_vector() -> None:
    v = vector()
    root = OutputRootV0.decode(h(v["encoding"]))
    assert root.state_root == h(v["state_root"])
    assert root.message_passer_storage_root == h(v["message_passer_storage_root"])
    assert root.block_hash == h(v["block_hash"])


@settings(max_examples=50, deadline=None)
@given(
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
)
def test_roundtrip(state_root: bytes, storage_root: bytes, block_hash: bytes) -> None:
    root = OutputRootV0(state_root, storage_root, block_hash)
    assert OutputRootV0.decode(root.encode()) == root
    assert root.hash() == keccak256(b"\x00" * 32 + state_root + storage_root + block_hash)


def test_decode_rejects_wrong_length() -> None:
    with pytest.raises(OutputRootError, match="127 bytes"):
        OutputRootV0.decode(b"\x00" * 127)
    with pytest.raises(OutputRootError, match="129 bytes"):
        OutputRootV0.decode(b"\x00" * 129)


def test_decode_rejects_unknown_version() -> None:
    data = b"\x00" * 31 + b"\x01" + b"\x00" * 96
    with pytest.raises(OutputRootError, match="unsupported version"):
        OutputRootV0.decode(data)


def test_fields_must_be_32_bytes() -> None:
    with pytest.raises(OutputRootError, match="block_hash must be 32 bytes, got 31"):
        OutputRootV0(b"\x00" * 32, b"\x00" * 32, b"\x00" * 31)
