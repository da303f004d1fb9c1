"""Channels: assembling frames into channel data, and reading batches out of channel data.

Spec: protocol/derivation.md, "Channel Format", "Channel Bank" ("Pruning", "Timeouts", "Reading",
"Loading frames") and "Channel Reader (Batch Decoding)"; protocol/holocene/derivation.md, "Channel
Bank". Derivation-stage policy (which channels to keep, evict or time out across L1 blocks) belongs
to the pipeline; this module gives it the channel object and the channel-data reader.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from mauna.errors import ChannelError
from mauna.primitives.block import BlockID
from mauna.protocol.compression import CompressionAlgo, decompress_channel_detailed, detect_compression
from mauna.protocol.frames import CHANNEL_ID_LENGTH, Frame

ChannelID = bytes

CHANNEL_BANK_FRAME_OVERHEAD = 200
"""Per-frame overhead counted in a channel's size ("Channel Bank" > "Pruning")."""


class Channel:
    """A channel being assembled from frames (the channel bank's unit).

    Frames may arrive in any order. The frame insertion rules of "Loading frames" apply: a frame
    with another channel id, a duplicate frame number, a second closing frame or a frame numbered
    at or after the closing frame is rejected with :class:`ChannelError`; when a closing frame
    arrives, any buffered frames numbered above it are removed. A channel is ready once it is
    closed and holds every frame from 0 to the closing frame.

    ``size`` follows the spec's definition for channel-bank pruning and the Holocene
    compressed-size check: the sum of the buffered frame data lengths plus
    ``CHANNEL_BANK_FRAME_OVERHEAD`` (200) per buffered frame. (op-node and kona, when pruning
    frames after a closing frame, subtract the size of every buffered frame instead of only the
    pruned ones; that only matters for out-of-order frames before Holocene and the spec's
    definition is used here.)
    """

    __slots__ = (
        "_closed",
        "_end_frame_number",
        "_frames",
        "_highest_frame_number",
        "_highest_l1_inclusion",
        "_id",
        "_open_block",
    )

    def __init__(self, channel_id: ChannelID, open_block: BlockID) -> None:
        if len(channel_id) != CHANNEL_ID_LENGTH:
            raise ChannelError(f"channel id must be {CHANNEL_ID_LENGTH} bytes, got {len(channel_id)}")
        self._id = bytes(channel_id)
        self._open_block = open_block
        # Starts at the open block: the first frame is always included in (or after) it.
        self._highest_l1_inclusion = open_block
        self._frames: dict[int, Frame] = {}
        self._closed = False
        self._end_frame_number = 0
        self._highest_frame_number = 0

    @property
    def id(self) -> ChannelID:
        return self._id

    @property
    def open_block(self) -> BlockID:
        """The L1 block in which the channel's first frame was seen."""
        return self._open_block

    @property
    def highest_l1_inclusion(self) -> BlockID:
        """The highest-numbered L1 block that included a frame of this channel."""
        return self._highest_l1_inclusion

    @property
    def is_closed(self) -> bool:
        """Whether the closing frame (``is_last``) has been buffered."""
        return self._closed

    @property
    def end_frame_number(self) -> int | None:
        """Number of the closing frame, or ``None`` while the channel is open."""
        return self._end_frame_number if self._closed else None

    @property
    def highest_frame_number(self) -> int:
        return self._highest_frame_number

    @property
    def frame_count(self) -> int:
        return len(self._frames)

    @property
    def size(self) -> int:
        """Sum over buffered frames of ``len(frame.data) + CHANNEL_BANK_FRAME_OVERHEAD``."""
        return sum(len(f.data) + CHANNEL_BANK_FRAME_OVERHEAD for f in self._frames.values())

    def add_frame(self, frame: Frame, l1_inclusion: BlockID) -> None:
        """Buffer ``frame``, included in L1 block ``l1_inclusion``; raise ChannelError if invalid."""
        if frame.channel_id != self._id:
            raise ChannelError(
                f"frame {frame.number} belongs to channel {frame.channel_id.hex()}, not {self._id.hex()}"
            )
        if frame.is_last and self._closed:
            raise ChannelError(
                f"channel {self._id.hex()}: frame {frame.number} is a second closing frame "
                f"(already closed by frame {self._end_frame_number})"
            )
        if frame.number in self._frames:
            raise ChannelError(f"channel {self._id.hex()}: duplicate frame number {frame.number}")
        if self._closed and frame.number >= self._end_frame_number:
            raise ChannelError(
                f"channel {self._id.hex()}: frame {frame.number} is at or after the closing frame "
                f"{self._end_frame_number}"
            )
        if frame.is_last:
            self._closed = True
            self._end_frame_number = frame.number
            if frame.number < self._highest_frame_number:
                for number in [n for n in self._frames if n > frame.number]:
                    del self._frames[number]
                self._highest_frame_number = frame.number
        if frame.number > self._highest_frame_number:
            self._highest_frame_number = frame.number
        if l1_inclusion.number > self._highest_l1_inclusion.number:
            self._highest_l1_inclusion = l1_inclusion
        self._frames[frame.number] = frame

    def is_ready(self) -> bool:
        """Closed and holding the contiguous frames 0..closing frame."""
        if not self._closed or len(self._frames) != self._end_frame_number + 1:
            return False
        return all(n in self._frames for n in range(self._end_frame_number + 1))

    def frames(self) -> list[Frame]:
        """The buffered frames in frame-number order."""
        return [self._frames[n] for n in sorted(self._frames)]

    def frame_data(self) -> bytes:
        """The channel data: the frames' data concatenated in order. Requires :meth:`is_ready`."""
        if not self.is_ready():
            raise ChannelError(f"channel {self._id.hex()} is not ready: missing frames or closing frame")
        return b"".join(self._frames[n].data for n in range(self._end_frame_number + 1))

    def is_timed_out(self, current_l1_num: int, timeout: int) -> bool:
        """``current_l1_num > open_block.number + timeout`` ("Channel Bank" > "Timeouts")."""
        return current_l1_num > self._open_block.number + timeout

    def __repr__(self) -> str:
        return (
            f"Channel(id={self._id.hex()}, open_block={self._open_block.number}, "
            f"frames={sorted(self._frames)}, closed={self._closed})"
        )


# --- reading channel data -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelRead:
    """Batches read from channel data, with the compression used and why reading stopped.

    ``stop_reason`` is ``None`` when the data was read to its clean end (or to the RLP-bytes limit
    with nothing partial left to report), else the first problem met: damaged compressed data or a
    malformed item.
    """

    algo: CompressionAlgo
    batches: tuple[bytes, ...]
    limit_reached: bool
    stop_reason: str | None


def _next_string_item(data: bytes, pos: int) -> tuple[bytes, int] | str:
    """Decode the RLP string item at ``pos`` the way go-ethereum's ``rlp.Stream.Bytes`` does.

    Returns the item's content and the next offset, or a reason why reading must stop.
    """
    n = len(data)
    b0 = data[pos]
    if b0 < 0x80:
        return bytes(data[pos : pos + 1]), pos + 1
    if b0 < 0xB8:
        size = b0 - 0x80
        start = pos + 1
    elif b0 < 0xC0:
        len_len = b0 - 0xB7
        if pos + 1 + len_len > n:
            return f"item at offset {pos}: length of length {len_len} runs past the data"
        len_bytes = data[pos + 1 : pos + 1 + len_len]
        if len_bytes[0] == 0:
            return f"item at offset {pos}: non-canonical length with a leading zero byte"
        size = int.from_bytes(len_bytes, "big")
        if size < 56:
            return f"item at offset {pos}: non-canonical long-form length {size} < 56"
        start = pos + 1 + len_len
    else:
        return f"item at offset {pos}: an RLP list where a batch (byte string) was expected"
    if size > n - start:
        return f"item at offset {pos}: {size}-byte string exceeds the {n - start} bytes left"
    content = bytes(data[start : start + size])
    if size == 1 and content[0] < 0x80:
        return f"item at offset {pos}: non-canonical single-byte string"
    return content, start + size


def _scan_items(decompressed: bytes) -> tuple[list[bytes], str | None]:
    """Split decompressed channel data into batch encodings; also return why reading stopped."""
    batches: list[bytes] = []
    append = batches.append
    data = decompressed if isinstance(decompressed, bytes) else bytes(decompressed)
    n = len(data)
    pos = 0
    while pos < n:
        # Common case inline: a canonical string header of 1 to 4 length bytes for a batch that is
        # at least 56 bytes long and fits in the data. Anything else goes to _next_string_item.
        b0 = data[pos]
        if 0xB8 <= b0 <= 0xBB:
            start = pos + b0 - 0xB6
            if start <= n and data[pos + 1]:
                end = start + int.from_bytes(data[pos + 1 : start], "big")
                if end <= n and end - start >= 56:
                    append(data[start:end])
                    pos = end
                    continue
        item = _next_string_item(data, pos)
        if isinstance(item, str):
            return batches, item
        content, pos = item
        if not content:
            return batches, f"empty batch item ending at offset {pos}"
        append(content)
    return batches, None


_STREAM_CHUNK = 1 << 15


def _read_zlib_stream(data: bytes, max_rlp_bytes: int) -> ChannelRead | None:
    """Read a regular zlib channel while decompressing it, a small input chunk at a time.

    Regular means: the stream decodes without error, stays below ``max_rlp_bytes``, and its output
    is a sequence of canonical long-form string items (batches of 56 bytes or more) ending exactly
    at the end of the output. Anything else gives ``None`` and is read by the general path, so the
    result is always the one :func:`_scan_items` gives on the whole decompressed data. Working
    chunk by chunk keeps every buffer small (no copy of the whole decompressed data is ever made).
    """
    dec = zlib.decompressobj()
    decompress = dec.decompress
    batches: list[bytes] = []
    append = batches.append
    from_bytes = int.from_bytes
    parts: list[bytes] = []
    have = 0  # bytes buffered in parts (the unread end of the output)
    need = 0  # bytes the next item needs before it can be read
    total = 0
    n = len(data)
    offset = 0
    while offset < n and not dec.eof:
        try:
            out = decompress(data[offset : offset + _STREAM_CHUNK], max_rlp_bytes - total)
        except zlib.error:
            return None
        offset += _STREAM_CHUNK
        total += len(out)
        if total >= max_rlp_bytes:
            return None
        if not out:
            continue
        parts.append(out)
        have += len(out)
        if have < need:
            continue
        buf = parts[0] if len(parts) == 1 else b"".join(parts)
        pos = 0
        while pos < have:
            b0 = buf[pos]
            if not 0xB8 <= b0 <= 0xBB:
                return None
            start = pos + b0 - 0xB6
            if start > have:
                need = start - pos
                break
            if not buf[pos + 1]:
                return None
            end = start + from_bytes(buf[pos + 1 : start], "big")
            if end - start < 56:
                return None
            if end > have:
                need = end - pos
                break
            append(buf[start:end])
            pos = end
        if pos == have:
            parts = []
            have = need = 0
        else:
            parts = [buf[pos:]]
            have -= pos
    if have:
        return None
    if dec.eof:
        unused = dec.unused_data + data[offset:]
        reason = f"{len(unused)} bytes of trailing data after the compressed stream" if unused else None
    else:
        reason = f"zlib stream truncated after {n} compressed bytes"
    return ChannelRead(CompressionAlgo.ZLIB, tuple(batches), False, reason)


def read_channel_detailed(data: bytes, max_rlp_bytes: int, *, fjord: bool) -> ChannelRead:
    """Like :func:`read_channel`, also reporting the algorithm and why reading stopped."""
    if (
        isinstance(data, bytes)
        and max_rlp_bytes > 0
        and detect_compression(data, fjord=fjord) is CompressionAlgo.ZLIB
    ):
        fast = _read_zlib_stream(data, max_rlp_bytes)
        if fast is not None:
            return fast
    dec = decompress_channel_detailed(data, max_rlp_bytes, fjord=fjord)
    batches, item_reason = _scan_items(dec.data)
    reason = dec.stop_reason
    if item_reason is not None:
        reason = item_reason if reason is None else f"{item_reason} ({reason})"
    return ChannelRead(dec.algo, tuple(batches), dec.limit_reached, reason)


def iter_channel(data: bytes, max_rlp_bytes: int, *, fjord: bool) -> Iterator[bytes]:
    """Iterator form of :func:`read_channel` (decompression happens on the call)."""
    return iter(read_channel_detailed(data, max_rlp_bytes, fjord=fjord).batches)


def read_channel(data: bytes, max_rlp_bytes: int, *, fjord: bool) -> list[bytes]:
    """Decompress channel data and return its batch encodings (``batch_type ++ batch_payload``).

    Channel data is the compressed RLP stream of string items, one batch each ("Channel Format").
    Reading follows op-node's channel reader: decompressed bytes beyond ``max_rlp_bytes`` are
    ignored, so only items that end within the first ``max_rlp_bytes`` bytes are read; reading
    stops, keeping every earlier batch, at the end of the data or at the first item that is not a
    canonical RLP byte string (a list, a non-canonical length, a string running past the data or
    the limit), and at an empty item (which cannot be a batch). Damaged compressed data ends
    reading where decompression stopped (see :mod:`mauna.protocol.compression`).

    op-node also ends a channel at the first item whose batch fails to decode (unknown batch type,
    malformed content); callers decoding the returned items must stop there too.

    Raises :class:`CompressionError` when the compression format cannot be determined (empty
    data, unknown first byte, brotli before Fjord): such a channel yields no batches.
    """
    return list(read_channel_detailed(data, max_rlp_bytes, fjord=fjord).batches)
