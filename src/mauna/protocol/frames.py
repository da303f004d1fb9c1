"""Channel frames and the batcher-transaction payload that carries them.

Spec: protocol/derivation.md, "Batch Submission Wire Format": "Batcher Transaction Format" and
"Frame Format".

A batcher transaction's data is ``version_byte ++ rollup_payload``; for derivation version 0 the
payload is one or more concatenated frames::

    frame = channel_id ++ frame_number ++ frame_data_length ++ frame_data ++ is_last

    channel_id        = bytes16
    frame_number      = uint16  (big-endian)
    frame_data_length = uint32  (big-endian, at most MAX_FRAME_LEN)
    frame_data        = bytes
    is_last           = bool    (one byte: 0 or 1; any other value makes the frame invalid)

"All frames in a batcher transaction must be parseable. If any one frame fails to parse, the all
frames in the transaction are rejected": :func:`parse_frames` raises :class:`FrameError` then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mauna.errors import FrameError

DERIVATION_VERSION_0 = 0
"""Batcher transaction version byte whose payload is concatenated frames."""

CHANNEL_ID_LENGTH = 16
FRAME_OVERHEAD = 23
"""Fixed bytes of a frame besides its data: 16 (channel id) + 2 (number) + 4 (length) + 1 (is_last)."""

MAX_FRAME_LEN = 1_000_000
"""Cap on ``frame_data_length``."""

MAX_FRAME_NUMBER = 0xFFFF

_HEADER_LEN = CHANNEL_ID_LENGTH + 2 + 4


@dataclass(frozen=True, slots=True)
class Frame:
    """One chunk of a channel's compressed data (spec "Frame Format")."""

    channel_id: bytes
    number: int
    data: bytes
    is_last: bool

    def __post_init__(self) -> None:
        if len(self.channel_id) != CHANNEL_ID_LENGTH:
            raise FrameError(f"channel id must be {CHANNEL_ID_LENGTH} bytes, got {len(self.channel_id)}")
        if not 0 <= self.number <= MAX_FRAME_NUMBER:
            raise FrameError(f"frame number {self.number} is not a uint16")
        if len(self.data) > MAX_FRAME_LEN:
            raise FrameError(f"frame data length {len(self.data)} exceeds MAX_FRAME_LEN {MAX_FRAME_LEN}")

    def encode(self) -> bytes:
        """The frame's wire encoding."""
        return b"".join(
            (
                self.channel_id,
                self.number.to_bytes(2, "big"),
                len(self.data).to_bytes(4, "big"),
                self.data,
                b"\x01" if self.is_last else b"\x00",
            )
        )

    @classmethod
    def decode(cls, data: bytes, offset: int = 0) -> tuple[Frame, int]:
        """Decode one frame starting at ``offset``; return it and the offset just past it.

        Raises :class:`FrameError` (naming the offset) on truncated data, a data length above
        :data:`MAX_FRAME_LEN` or an ``is_last`` byte other than 0 or 1.
        """
        if offset < 0 or offset > len(data):
            raise FrameError(f"frame offset {offset} is outside the {len(data)}-byte input")
        remaining = len(data) - offset
        if remaining < _HEADER_LEN:
            raise FrameError(
                f"frame at offset {offset}: {remaining} bytes left, the frame header needs {_HEADER_LEN}"
            )
        channel_id = bytes(data[offset : offset + CHANNEL_ID_LENGTH])
        pos = offset + CHANNEL_ID_LENGTH
        number = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        length = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        if length > MAX_FRAME_LEN:
            raise FrameError(
                f"frame at offset {offset}: data length {length} exceeds MAX_FRAME_LEN {MAX_FRAME_LEN}"
            )
        if len(data) - pos < length + 1:
            raise FrameError(
                f"frame at offset {offset}: data length {length} plus the is_last byte exceeds "
                f"the remaining {len(data) - pos} bytes"
            )
        frame_data = bytes(data[pos : pos + length])
        pos += length
        is_last_byte = data[pos]
        if is_last_byte > 1:
            raise FrameError(f"frame at offset {offset}: is_last byte is {is_last_byte}, must be 0 or 1")
        return cls(channel_id, number, frame_data, is_last_byte == 1), pos + 1

    def size(self) -> int:
        """Length of the frame's wire encoding: ``len(data) + FRAME_OVERHEAD``."""
        return len(self.data) + FRAME_OVERHEAD


def parse_frames(calldata: bytes) -> list[Frame]:
    """Parse a batcher transaction's data (derivation version byte 0 followed by frames).

    At least one frame is required and the frames must consume the data exactly; any invalid frame
    rejects the whole transaction with a :class:`FrameError` naming the frame index and offset.
    """
    if len(calldata) == 0:
        raise FrameError("batcher transaction data is empty")
    if calldata[0] != DERIVATION_VERSION_0:
        raise FrameError(f"unknown derivation version byte {calldata[0]}, expected {DERIVATION_VERSION_0}")
    frames: list[Frame] = []
    offset = 1
    while offset < len(calldata):
        try:
            frame, offset = Frame.decode(calldata, offset)
        except FrameError as exc:
            raise FrameError(f"frame {len(frames)}: {exc}") from exc
        frames.append(frame)
    if not frames:
        raise FrameError("batcher transaction data holds no frames")
    return frames


def encode_frames(frames: Iterable[Frame]) -> bytes:
    """Batcher transaction data for ``frames``: derivation version 0 followed by each frame."""
    return bytes([DERIVATION_VERSION_0]) + b"".join(frame.encode() for frame in frames)
