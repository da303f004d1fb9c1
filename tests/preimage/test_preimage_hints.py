"""Hints over real pipes: the framing of kona and op-program, acks, routing, errors."""

from __future__ import annotations

import io
import os

import pytest
from _wire import Background, Pipes, read_exact
from hypothesis import given
from hypothesis import strategies as st

from mauna.preimage import Hint, HintError, HintReader, HintType, HintWriter, NoopHinter, PreimageIOError
from mauna.preimage import hints as H

BLOCK_HASH = bytes.fromhex("88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6")
PAYLOAD = b"l1-block-header 0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6"
# <uint32 BE length = 82> ‖ payload
FRAME = bytes.fromhex("00000052") + PAYLOAD


def test_hint_types_are_the_wire_strings() -> None:
    assert {t.value for t in HintType} == {
        "l1-block-header",
        "l1-transactions",
        "l1-receipts",
        "l1-blob",
        "l1-precompile",
        "l1-precompile-v2",
        "l2-block-header",
        "l2-transactions",
        "l2-receipts",
        "l2-code",
        "l2-state-node",
        "l2-output",
        "l2-output-root",
        "starting-l2-output",
        "agreed-pre-state",
        "l2-account-proof",
        "l2-account-storage-proof",
        "l2-payload-witness",
        "l2-block-data",
    }
    assert str(HintType.L1_PRECOMPILE_V2) == "l1-precompile-v2"
    assert f"{HintType.L2_STATE_NODE}" == "l2-state-node"


def test_hint_encoding() -> None:
    assert len(PAYLOAD) == 0x52
    hint = Hint(HintType.L1_BLOCK_HEADER, BLOCK_HASH)
    assert hint.encode() == PAYLOAD
    assert hint.frame() == FRAME
    assert type(hint.hint_type) is str
    assert Hint.decode(PAYLOAD) == Hint("l1-block-header", BLOCK_HASH)
    assert Hint("l1-blob", b"").encode() == b"l1-blob 0x"
    assert str(hint) == PAYLOAD.decode()


def test_hint_parse_accepts_kona_and_op_program_forms() -> None:
    assert Hint.parse("l2-code 0xABcd").data == b"\xab\xcd"
    assert Hint.parse("l2-code abcd").data == b"\xab\xcd"  # kona's hex::decode takes bare hex
    assert Hint.parse("l2-code ").data == b""
    assert Hint.parse("custom-type 0x00").hint_type == "custom-type"


@pytest.mark.parametrize(
    "payload",
    [
        b"l1-block-header",  # no data part
        b" 0x00",  # empty type
        b"l1-block-header 0x0",  # odd hex
        b"l1-block-header 0xzz",
        b"l1-block-header 0x00 0x00",  # kona: exactly two parts
        b"l1-block-header\t0x00",
        b"\xf0\x90\x28\xbc 0x00",  # kona's invalid UTF-8 test vector
    ],
)
def test_hint_decode_rejects(payload: bytes) -> None:
    with pytest.raises(HintError):
        Hint.decode(payload)


def test_hint_constructor_rejects() -> None:
    with pytest.raises(HintError):
        Hint("has space", b"")
    with pytest.raises(HintError):
        Hint("", b"")
    with pytest.raises(HintError):
        Hint("l2-code", "00")  # type: ignore[arg-type]
    with pytest.raises(HintError):
        NoopHinter().hint("bad type", b"")
    NoopHinter().hint(HintType.L2_CODE, b"\x01")


def test_writer_against_hand_written_host(pipes: Pipes) -> None:
    def raw_host() -> bytes:
        frame = read_exact(pipes.host.reader, len(FRAME))
        os.write(pipes.host.writer, b"\x00")
        return frame

    host = Background(raw_host)
    HintWriter(pipes.client.reader, pipes.client.writer).hint(HintType.L1_BLOCK_HEADER, BLOCK_HASH)
    assert host.join() == FRAME


def test_writer_rejects_non_zero_ack(pipes: Pipes) -> None:
    def raw_host() -> None:
        read_exact(pipes.host.reader, len(FRAME))
        os.write(pipes.host.writer, b"\x01")

    host = Background(raw_host)
    with pytest.raises(PreimageIOError, match="expected 0x00, got 0x01"):
        HintWriter(pipes.client.reader, pipes.client.writer).hint(HintType.L1_BLOCK_HEADER, BLOCK_HASH)
    host.join()


def test_writer_eof_before_ack(pipes: Pipes) -> None:
    def raw_host() -> None:
        read_exact(pipes.host.reader, len(FRAME))
        pipes.close(pipes.host.writer)

    host = Background(raw_host)
    with pytest.raises(PreimageIOError, match="stream closed"):
        HintWriter(pipes.client.reader, pipes.client.writer).hint(HintType.L1_BLOCK_HEADER, BLOCK_HASH)
    host.join()


def test_reader_against_hand_written_client(pipes: Pipes) -> None:
    routed: list[tuple[str, bytes]] = []
    reader = HintReader(pipes.host.reader, pipes.host.writer, lambda t, d: routed.append((t, d)))
    os.write(pipes.client.writer, FRAME)
    assert reader.next_hint() is True
    assert os.read(pipes.client.reader, 10) == b"\x00"
    assert routed == [("l1-block-header", BLOCK_HASH)]
    pipes.close(pipes.client.writer)
    assert reader.next_hint() is False


def test_writer_reader_round_trip(pipes: Pipes) -> None:
    routed: list[tuple[str, bytes]] = []
    reader = HintReader(pipes.host.reader, pipes.host.writer, lambda t, d: routed.append((t, d)))
    host = Background(reader.serve_forever)
    writer = HintWriter(pipes.client.reader, pipes.client.writer)
    big = os.urandom(200_000)
    sent = [
        (HintType.L1_BLOCK_HEADER, BLOCK_HASH),
        (HintType.L2_PAYLOAD_WITNESS, big),
        (HintType.L1_BLOB, H.l1_blob_hint_data(BLOCK_HASH, 1_700_000_000)),
        (HintType.L2_CODE, b""),
    ]
    for t, d in sent:
        writer.hint(t, d)
    pipes.close(pipes.client.writer)
    assert host.join() == 4
    assert routed == [(str(t), d) for t, d in sent]


def test_malformed_hint_is_acked_then_raised(pipes: Pipes) -> None:
    reader = HintReader(pipes.host.reader, pipes.host.writer, lambda t, d: None)
    os.write(pipes.client.writer, b"\x00\x00\x00\x03abc")
    with pytest.raises(HintError, match="no data part"):
        reader.next_hint()
    assert os.read(pipes.client.reader, 10) == b"\x00"


def test_router_error_is_acked_then_raised(pipes: Pipes) -> None:
    def router(hint_type: str, data: bytes) -> None:
        raise HintError(f"cannot prepare {hint_type}")

    reader = HintReader(pipes.host.reader, pipes.host.writer, router)
    os.write(pipes.client.writer, FRAME)
    with pytest.raises(HintError, match="cannot prepare l1-block-header"):
        reader.next_hint()
    assert os.read(pipes.client.reader, 10) == b"\x00"


def test_serve_forever_reports_errors_and_continues(pipes: Pipes) -> None:
    errors: list[Exception] = []
    routed: list[str] = []
    reader = HintReader(pipes.host.reader, pipes.host.writer, lambda t, d: routed.append(t))
    os.write(pipes.client.writer, b"\x00\x00\x00\x03abc" + FRAME)
    pipes.close(pipes.client.writer)
    assert reader.serve_forever(on_error=errors.append) == 2
    assert routed == ["l1-block-header"]
    assert len(errors) == 1 and isinstance(errors[0], HintError)
    assert os.read(pipes.client.reader, 10) == b"\x00\x00"


def test_reader_truncated_frame() -> None:
    reader = HintReader(io.BytesIO(FRAME[:-1]), io.BytesIO(), lambda t, d: None)
    with pytest.raises(PreimageIOError, match="after 81 of 82 bytes"):
        reader.next_hint()
    reader = HintReader(io.BytesIO(b"\x00\x00"), io.BytesIO(), lambda t, d: None)
    with pytest.raises(PreimageIOError, match="after 2 of 4 bytes"):
        reader.next_hint()


def test_hint_data_layouts() -> None:
    assert H.hash_and_chain_id(BLOCK_HASH) == BLOCK_HASH
    assert H.hash_and_chain_id(BLOCK_HASH, 10) == BLOCK_HASH + bytes.fromhex("000000000000000a")
    assert H.l1_blob_hint_data(BLOCK_HASH, 0x65) == BLOCK_HASH + bytes.fromhex("0000000000000065")
    assert H.l1_blob_hint_data(BLOCK_HASH, 0x65, index=2) == BLOCK_HASH + bytes.fromhex(
        "0000000000000002" + "0000000000000065"
    )
    addr = bytes(19) + b"\x0a"
    gas = bytes.fromhex("000000000000c350")
    assert H.precompile_hint_data(addr, b"\x01\x02", 50_000) == addr + gas + b"\x01\x02"
    chain_10 = (10).to_bytes(8, "big")
    assert H.account_proof_hint_data(BLOCK_HASH, b"\x42" * 20, 10) == BLOCK_HASH + b"\x42" * 20 + chain_10
    chain_1 = (1).to_bytes(8, "big")
    assert H.block_data_hint_data(b"\x01" * 32, BLOCK_HASH, 1) == b"\x01" * 32 + BLOCK_HASH + chain_1
    with pytest.raises(HintError):
        H.hash_and_chain_id(BLOCK_HASH[:31])
    with pytest.raises(HintError):
        H.l1_blob_hint_data(BLOCK_HASH, -1)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1), st.binary())
def test_hint_round_trip(hint_type: str, data: bytes) -> None:
    hint = Hint(hint_type, data)
    frame = hint.frame()
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    assert Hint.decode(frame[4:]) == hint
