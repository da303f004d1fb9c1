"""Channel assembly and channel reading (protocol/derivation.md "Channel Bank", "Channel Format")."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import ChannelError, CompressionError
from mauna.primitives import BlockID
from mauna.protocol.channel import (
    CHANNEL_BANK_FRAME_OVERHEAD,
    Channel,
    iter_channel,
    read_channel,
    read_channel_detailed,
)
from mauna.protocol.compression import (
    MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    CompressionAlgo,
    compress_brotli,
    compress_zlib,
)
from mauna.protocol.frames import Frame, parse_frames

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
BATCH = bytes.fromhex((KONA / "derive" / "batch.hex").read_text().strip())

CID = bytes.fromhex("00112233445566778899aabbccddeeff")
OTHER = bytes(16)


def block(n: int) -> BlockID:
    return BlockID(n.to_bytes(32, "big"), n)


def frame(number: int, data: bytes = b"", is_last: bool = False, cid: bytes = CID) -> Frame:
    return Frame(cid, number, data, is_last)


# --- Channel ---------------------------------------------------------------------------------------


def test_frames_out_of_order_become_ready() -> None:
    ch = Channel(CID, block(10))
    assert ch.id == CID
    assert ch.open_block == block(10)
    assert not ch.is_ready()
    ch.add_frame(frame(2, b"cc", is_last=True), block(11))
    assert ch.is_closed
    assert ch.end_frame_number == 2
    assert not ch.is_ready()
    ch.add_frame(frame(0, b"a"), block(13))
    assert not ch.is_ready()
    ch.add_frame(frame(1, b"bbb"), block(12))
    assert ch.is_ready()
    assert ch.frame_data() == b"abbbcc"
    assert [f.number for f in ch.frames()] == [0, 1, 2]
    assert ch.frame_count == 3
    assert ch.size == 6 + 3 * CHANNEL_BANK_FRAME_OVERHEAD
    assert ch.highest_l1_inclusion == block(13)
    assert ch.highest_frame_number == 2


def test_single_closing_frame() -> None:
    ch = Channel(CID, block(5))
    assert ch.end_frame_number is None
    ch.add_frame(frame(0, b"only", is_last=True), block(5))
    assert ch.is_ready()
    assert ch.frame_data() == b"only"
    assert ch.highest_l1_inclusion == block(5)


def test_insertion_rules() -> None:
    ch = Channel(CID, block(1))
    with pytest.raises(ChannelError, match="belongs to channel 00000000000000000000000000000000"):
        ch.add_frame(frame(0, cid=OTHER), block(1))
    ch.add_frame(frame(0, b"x"), block(1))
    with pytest.raises(ChannelError, match="duplicate frame number 0"):
        ch.add_frame(frame(0, b"y"), block(1))
    ch.add_frame(frame(3, b"z", is_last=True), block(2))
    with pytest.raises(ChannelError, match="second closing frame"):
        ch.add_frame(frame(2, is_last=True), block(2))
    with pytest.raises(ChannelError, match="frame 4 is at or after the closing frame 3"):
        ch.add_frame(frame(4), block(2))
    with pytest.raises(ChannelError, match="duplicate frame number 3"):
        ch.add_frame(frame(3), block(2))
    # rejected frames changed nothing
    assert [f.number for f in ch.frames()] == [0, 3]
    assert ch.size == 2 + 2 * CHANNEL_BANK_FRAME_OVERHEAD
    with pytest.raises(ChannelError, match="not ready"):
        ch.frame_data()
    with pytest.raises(ChannelError, match="16 bytes"):
        Channel(b"short", block(1))


def test_closing_frame_prunes_higher_frames() -> None:
    ch = Channel(CID, block(1))
    for n in (0, 2, 3, 5):
        ch.add_frame(frame(n, bytes([n]) * 10), block(1))
    assert ch.highest_frame_number == 5
    ch.add_frame(frame(1, b"end", is_last=True), block(4))
    assert [f.number for f in ch.frames()] == [0, 1]
    assert ch.highest_frame_number == 1
    assert ch.is_ready()
    assert ch.frame_data() == bytes(10) + b"end"
    assert ch.size == 13 + 2 * CHANNEL_BANK_FRAME_OVERHEAD
    assert ch.highest_l1_inclusion == block(4)


def test_highest_l1_inclusion_never_decreases() -> None:
    ch = Channel(CID, block(7))
    ch.add_frame(frame(1), block(9))
    ch.add_frame(frame(0), block(8))
    assert ch.highest_l1_inclusion == block(9)


def test_timeout_boundary() -> None:
    ch = Channel(CID, block(100))
    assert not ch.is_timed_out(100, 50)
    assert not ch.is_timed_out(150, 50)
    assert ch.is_timed_out(151, 50)


def test_real_batcher_frame_assembles_and_reads() -> None:
    raw = (KONA / "derive" / "raw_batcher_tx.hex").read_bytes()
    calldata = rlp.decode(raw[1:])[7]
    (only,) = parse_frames(calldata)
    ch = Channel(only.channel_id, block(1))
    ch.add_frame(only, block(1))
    assert ch.is_ready()
    assert ch.size == 119_799 + CHANNEL_BANK_FRAME_OVERHEAD
    result = read_channel_detailed(ch.frame_data(), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=False)
    # The batcher flushed (not closed) its zlib stream: the stream has no end, yet the span batch
    # inside is complete and must be read.
    assert result.algo is CompressionAlgo.ZLIB
    assert [(len(b), b[0]) for b in result.batches] == [(240_304, 1)]
    assert result.stop_reason == "zlib stream truncated after 119799 compressed bytes"


# --- reading channels ------------------------------------------------------------------------------


def test_real_channel_one_span_batch() -> None:
    batches = read_channel(BATCH, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=False)
    assert len(batches) == 1
    assert len(batches[0]) == 1_409_459
    assert batches[0][0] == 0x01
    assert list(iter_channel(BATCH, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=True)) == batches
    result = read_channel_detailed(BATCH, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=False)
    assert result.stop_reason is None


def test_real_channel_rlp_limit() -> None:
    # The single item is 4 header bytes + 1409459 content bytes = 1409463 bytes.
    assert len(read_channel(BATCH, 1_409_463, fjord=False)) == 1
    result = read_channel_detailed(BATCH, 1_409_462, fjord=False)
    assert result.batches == ()
    assert result.limit_reached
    assert result.stop_reason == "item at offset 0: 1409459-byte string exceeds the 1409458 bytes left"
    assert read_channel(BATCH, 100, fjord=False) == []


def _channel(items: list[bytes], *, tail: bytes = b"", brotli_: bool = False) -> bytes:
    stream = b"".join(rlp.encode(item) for item in items) + tail
    return compress_brotli(stream) if brotli_ else compress_zlib(stream)


ITEMS = [b"\x00" + b"a" * 10, b"\x01" + b"b" * 100, b"\x00" + b"c" * 1000]


@pytest.mark.parametrize("use_brotli", [False, True])
def test_several_batches(use_brotli: bool) -> None:
    data = _channel(ITEMS, brotli_=use_brotli)
    assert read_channel(data, 10_000, fjord=True) == ITEMS


def test_limit_keeps_items_that_fit() -> None:
    data = _channel(ITEMS)
    first_two = len(rlp.encode(ITEMS[0])) + len(rlp.encode(ITEMS[1]))
    assert read_channel(data, first_two, fjord=False) == ITEMS[:2]
    assert len(rlp.encode(ITEMS[2])) == 1004
    assert read_channel(data, first_two + 1003, fjord=False) == ITEMS[:2]
    assert read_channel(data, first_two + 1004, fjord=False) == ITEMS


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        (rlp.encode([b"list"]) + rlp.encode(b"\x00never read"), "an RLP list where a batch"),
        (b"\x81\x05" + rlp.encode(b"\x00never read"), "non-canonical single-byte string"),
        (b"\xb8\x05hello" + rlp.encode(b"\x00never read"), "non-canonical long-form length 5 < 56"),
        (b"\xb9\x00\x40" + bytes(64), "leading zero byte"),
        (b"\xba\x01", "length of length 3 runs past the data"),
        (b"\x85abc", "5-byte string exceeds the 3 bytes left"),
        (b"\x80" + rlp.encode(b"\x00never read"), "empty batch item"),
    ],
)
def test_reading_stops_at_malformed_item(tail: bytes, reason: str) -> None:
    data = _channel(ITEMS, tail=tail)
    result = read_channel_detailed(data, 10_000, fjord=False)
    assert list(result.batches) == ITEMS
    assert result.stop_reason is not None and reason in result.stop_reason


def test_single_byte_item_is_returned() -> None:
    # go-ethereum's Stream.Bytes returns a lone byte < 0x80 as a 1-byte string; the batch
    # decoder then rejects it.
    assert read_channel(_channel([b"\x00", *ITEMS]), 10_000, fjord=False) == [b"\x00", *ITEMS]


def test_truncated_compressed_channel_keeps_complete_batches() -> None:
    items = [bytes([i % 2]) + random.Random(i).randbytes(20_000) for i in range(6)]
    data = _channel(items)
    result = read_channel_detailed(data[: len(data) // 2], 10**6, fjord=False)
    # random items are stored nearly 1:1: half the stream holds 3 whole items (3 x 20004 bytes)
    assert list(result.batches) == items[:3]
    assert result.stop_reason is not None
    assert result.stop_reason.startswith("item at offset 60012: ")
    assert f"(zlib stream truncated after {len(data) // 2} compressed bytes)" in result.stop_reason


def test_unreadable_format() -> None:
    with pytest.raises(CompressionError, match="before Fjord"):
        read_channel(_channel(ITEMS, brotli_=True), 10_000, fjord=False)
    with pytest.raises(CompressionError, match="empty"):
        read_channel(b"", 10_000, fjord=False)
    with pytest.raises(CompressionError, match="first byte 0x00"):
        read_channel(b"\x00" + _channel(ITEMS), 10_000, fjord=True)


batch_items = st.lists(st.binary(min_size=1, max_size=400), max_size=8)


@settings(max_examples=100, deadline=None)
@given(batch_items, st.booleans())
def test_roundtrip(items: list[bytes], use_brotli: bool) -> None:
    data = _channel(items, brotli_=use_brotli)
    assert read_channel(data, 100_000, fjord=True) == items


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_fuzz_random_bytes(data: bytes, fjord: bool) -> None:
    try:
        batches = read_channel(data, 10_000, fjord=fjord)
    except CompressionError:
        return
    assert all(batches)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fuzz_mutated_channels(seed: int) -> None:
    rng = random.Random(seed)
    items = [rng.randbytes(rng.randrange(1, 300)) for _ in range(rng.randrange(1, 6))]
    stream = bytearray(b"".join(rlp.encode(item) for item in items))
    for _ in range(rng.randrange(1, 4)):
        stream[rng.randrange(len(stream))] = rng.randrange(256)
    data = compress_brotli(bytes(stream), quality=3) if rng.random() < 0.5 else compress_zlib(bytes(stream))
    batches = read_channel(data, 10_000, fjord=True)
    assert len(batches) <= len(stream)
    assert all(batches)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, len(BATCH) - 1), st.integers(0, 255))
def test_fuzz_mutated_real_channel(pos: int, value: int) -> None:
    data = bytearray(BATCH)
    data[pos] = value
    batches = read_channel(bytes(data), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=False)
    # A mutation inside the deflate stream can change the RLP framing, so the item count may differ;
    # what must hold is that every item is non-empty and that they fit in the limit.
    assert all(batches)
    assert sum(len(b) for b in batches) <= MAX_RLP_BYTES_PER_CHANNEL_BEDROCK
