"""Frames and batcher-transaction data (protocol/derivation.md "Frame Format")."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import FrameError
from mauna.protocol.frames import (
    DERIVATION_VERSION_0,
    FRAME_OVERHEAD,
    MAX_FRAME_LEN,
    Frame,
    encode_frames,
    parse_frames,
)

KONA = Path(__file__).parents[1] / "fixtures" / "kona"

CHANNEL_A = bytes(range(16))
CHANNEL_B = bytes(range(16, 32))


def _batcher_calldata() -> bytes:
    raw = (KONA / "derive" / "raw_batcher_tx.hex").read_bytes()
    assert raw[0] == 0x02  # EIP-1559 typed transaction
    fields = rlp.decode(raw[1:])
    # chain_id, nonce, max_priority_fee, max_fee, gas, to, value, data, access_list, y, r, s
    assert len(fields) == 12
    data = fields[7]
    assert isinstance(data, bytes)
    return data


_REAL = _batcher_calldata()


@pytest.fixture(scope="module")
def calldata() -> bytes:
    return _REAL


def test_real_batcher_transaction_parses(calldata: bytes) -> None:
    assert len(calldata) == 119_823
    assert calldata[0] == DERIVATION_VERSION_0
    frames = parse_frames(calldata)
    assert len(frames) == 1
    (frame,) = frames
    assert frame.channel_id.hex() == "ac329933f5efdcc35ccd284232a376d3"
    assert frame.number == 0
    assert frame.is_last is True
    assert len(frame.data) == 119_799
    assert frame.size() == 119_799 + FRAME_OVERHEAD
    assert frame.data[:2] == b"\x78\xda"  # a zlib channel
    assert encode_frames(frames) == calldata
    decoded, end = Frame.decode(calldata, 1)
    assert decoded == frame
    assert end == len(calldata)


def test_encode_layout() -> None:
    frame = Frame(CHANNEL_A, 0x0102, b"\xaa\xbb\xcc", True)
    assert frame.encode() == CHANNEL_A + b"\x01\x02" + b"\x00\x00\x00\x03" + b"\xaa\xbb\xcc" + b"\x01"
    assert Frame(CHANNEL_A, 0, b"", False).encode() == CHANNEL_A + bytes(6) + b"\x00"
    assert frame.size() == 3 + 23


def test_multiple_frames_of_several_channels() -> None:
    frames = [
        Frame(CHANNEL_A, 7, b"tail of a", True),
        Frame(CHANNEL_B, 0, b"start of b", False),
        Frame(CHANNEL_B, 1, b"", False),
    ]
    data = encode_frames(frames)
    assert data[0] == 0
    assert len(data) == 1 + sum(f.size() for f in frames)
    assert parse_frames(data) == frames
    second, offset = Frame.decode(data, 1 + frames[0].size())
    assert second == frames[1]
    assert offset == 1 + frames[0].size() + frames[1].size()


def test_max_frame_len_accepted_and_exceeded() -> None:
    frame = Frame(CHANNEL_A, 1, bytes(MAX_FRAME_LEN), False)
    assert parse_frames(encode_frames([frame])) == [frame]
    header = CHANNEL_A + b"\x00\x01" + (MAX_FRAME_LEN + 1).to_bytes(4, "big")
    with pytest.raises(FrameError, match=r"frame 0: .*offset 1: data length 1000001 exceeds MAX_FRAME_LEN"):
        parse_frames(b"\x00" + header + bytes(MAX_FRAME_LEN + 2))
    with pytest.raises(FrameError, match="exceeds MAX_FRAME_LEN"):
        Frame(CHANNEL_A, 1, bytes(MAX_FRAME_LEN + 1), False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x01" + Frame(CHANNEL_A, 0, b"x", True).encode(), "unknown derivation version byte 1"),
        (b"\x00", "no frames"),
        (b"\x00" + CHANNEL_A + b"\x00\x00\x00", r"frame 0: frame at offset 1: 19 bytes left"),
        (
            b"\x00" + CHANNEL_A + b"\x00\x00\x00\x00\x00\x05abcde",
            r"frame 0: .*data length 5 plus the is_last byte exceeds the remaining 5 bytes",
        ),
        (
            b"\x00" + CHANNEL_A + b"\x00\x00\x00\x00\x00\x01a\x02",
            r"frame 0: frame at offset 1: is_last byte is 2, must be 0 or 1",
        ),
        (
            b"\x00" + Frame(CHANNEL_A, 0, b"ok", False).encode() + CHANNEL_B[:5],
            r"frame 1: frame at offset 26: 5 bytes left",
        ),
        (
            b"\x00"
            + Frame(CHANNEL_A, 0, b"ok", False).encode()
            + Frame(CHANNEL_B, 0, b"a", True).encode()[:-1]
            + b"\xff",
            r"frame 1: frame at offset 26: is_last byte is 255",
        ),
    ],
)
def test_invalid_calldata_rejected(data: bytes, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        parse_frames(data)


def test_any_bad_frame_rejects_the_transaction(calldata: bytes) -> None:
    good = Frame(CHANNEL_B, 3, b"fine", True).encode()
    # A valid frame followed by the real frame with its is_last byte broken.
    broken = calldata[1:-1] + b"\x07"
    with pytest.raises(FrameError, match=r"frame 1: frame at offset 28: is_last byte is 7"):
        parse_frames(b"\x00" + good + broken)
    # The real frame cut short by one byte.
    with pytest.raises(FrameError, match="frame 0"):
        parse_frames(calldata[:-1])


def test_frame_field_validation() -> None:
    with pytest.raises(FrameError, match="channel id must be 16 bytes"):
        Frame(b"\x00" * 15, 0, b"", True)
    with pytest.raises(FrameError, match="not a uint16"):
        Frame(CHANNEL_A, 0x10000, b"", True)
    with pytest.raises(FrameError, match="not a uint16"):
        Frame(CHANNEL_A, -1, b"", True)
    with pytest.raises(FrameError, match="outside"):
        Frame.decode(b"\x00" * 30, 31)


frame_strategy = st.builds(
    Frame,
    channel_id=st.binary(min_size=16, max_size=16),
    number=st.integers(0, 0xFFFF),
    data=st.binary(max_size=300),
    is_last=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(frame_strategy, min_size=1, max_size=6))
def test_roundtrip(frames: list[Frame]) -> None:
    data = encode_frames(frames)
    assert parse_frames(data) == frames
    assert encode_frames(parse_frames(data)) == data
    for frame in frames:
        decoded, end = Frame.decode(frame.encode())
        assert decoded == frame
        assert end == frame.size()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes(data: bytes) -> None:
    try:
        frames = parse_frames(data)
    except FrameError:
        return
    assert encode_frames(frames) == data


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_fuzz_mutated_real_calldata(seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    data = bytearray(_REAL)
    for _ in range(mutations):
        kind = rng.randrange(3)
        pos = rng.randrange(len(data))
        if kind == 0:
            data[pos] = rng.randrange(256)
        elif kind == 1:
            del data[pos:]
        else:
            data[pos:pos] = rng.randbytes(rng.randrange(1, 30))
        if not data:
            break
    try:
        frames = parse_frames(bytes(data))
    except FrameError:
        return
    assert encode_frames(frames) == bytes(data)


# Positions in the real calldata: channel id (1..16), frame number (17, 18), data length (19..22),
# is_last (119822).
@pytest.mark.parametrize("pos", [1, 16, 17, 18, 19, 20, 21, 22, 119_822])
def test_mutated_header_bytes(pos: int) -> None:
    data = bytearray(_REAL)
    data[pos] ^= 0xFF
    if pos in (1, 16, 17, 18):  # channel id / frame number: still a valid frame
        (frame,) = parse_frames(bytes(data))
        assert frame.size() == len(_REAL) - 1
    else:
        with pytest.raises(FrameError, match=r"frame \d+: frame at offset \d+"):
            parse_frames(bytes(data))
