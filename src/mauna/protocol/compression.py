"""Channel compression: zlib (Bedrock) and versioned brotli (Fjord), with the RLP-bytes limit.

Spec: protocol/derivation.md, "Channel Format"; protocol/fjord/derivation.md, "Brotli Channel
Compression" and "Increasing MAX_RLP_BYTES_PER_CHANNEL and MAX_CHANNEL_BANK_SIZE".

Format detection looks at the first byte ``b0`` of the channel data:

- ``b0 & 0x0F`` is 8 or 15 (values reserved for the zlib header's compression method): the whole
  data is a zlib stream (RFC 1950, no dictionary);
- ``b0 == CHANNEL_VERSION_BROTLI`` (only from Fjord): the rest is a brotli stream (RFC 7932);
- anything else (and brotli before Fjord): :class:`CompressionError`.

Decompressed output is clipped to ``max_rlp_bytes`` ("If the decompressed data exceeds the limit,
things proceed as though the channel contained only the first MAX_RLP_BYTES_PER_CHANNEL
decompressed bytes"), and the compressed input is never decompressed further than needed to reach
that limit, so a zip bomb costs at most the limit (plus one decoder output block) in memory.

Damaged streams. op-node reads a channel through a streaming decompressor and decodes batches until
the first read error; every byte decompressed before the error is seen, and trailing bytes after the
end of a compressed stream are never read. The same is done here: a truncated stream, a corrupt
stream, a bad zlib checksum or garbage after the end of the stream yield the bytes decompressed up
to that point (possibly none), and :func:`decompress_channel_detailed` reports why decoding stopped.
When a decoder reports an error, the input chunk that triggered it is replayed one byte at a time
so that output is kept up to the last input byte before the failing one. (Symbols decoded from the
very byte in which corruption is detected can still be lost, since Python's zlib and brotli
bindings discard the output of a failing call; a correct batcher never produces such data.)
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from enum import Enum

import brotli

from mauna.errors import CompressionError

CHANNEL_VERSION_BROTLI = 0x01
"""Versioned channel encoding byte for brotli (Fjord)."""

ZLIB_CM8 = 8
ZLIB_CM15 = 15

MAX_RLP_BYTES_PER_CHANNEL_BEDROCK = 10_000_000
MAX_RLP_BYTES_PER_CHANNEL_FJORD = 100_000_000

_CHUNK = 1 << 16


def max_rlp_bytes_per_channel(*, fjord: bool) -> int:
    """``MAX_RLP_BYTES_PER_CHANNEL`` before / from Fjord (protocol parameters table)."""
    return MAX_RLP_BYTES_PER_CHANNEL_FJORD if fjord else MAX_RLP_BYTES_PER_CHANNEL_BEDROCK


class CompressionAlgo(Enum):
    """The channel compression algorithm found by :func:`detect_compression`."""

    ZLIB = "zlib"
    BROTLI = "brotli"


@dataclass(frozen=True, slots=True)
class DecompressedChannel:
    """Result of decompressing channel data.

    ``data`` is at most ``max_rlp_bytes`` long; ``limit_reached`` says that it is exactly that long
    (decompression stopped there; more output may have followed). ``stop_reason`` is ``None`` when
    the compressed stream ended cleanly or the limit was reached, else a description of why
    decoding stopped early (truncated stream, corrupt data, trailing garbage, bad checksum). A
    truncated stream is normal for some real batchers, which flush rather than close the
    compressor: the channel's batches are all readable although the stream has no end.
    """

    algo: CompressionAlgo
    data: bytes
    limit_reached: bool
    stop_reason: str | None


def compress_zlib(data: bytes, level: int = 9) -> bytes:
    """Legacy (Bedrock) channel encoding: a zlib stream."""
    return zlib.compress(data, level)


def compress_brotli(data: bytes, quality: int = 11) -> bytes:
    """Fjord versioned channel encoding: ``CHANNEL_VERSION_BROTLI ++ brotli(data)``."""
    return bytes([CHANNEL_VERSION_BROTLI]) + brotli.compress(data, quality=quality)


def detect_compression(data: bytes, *, fjord: bool) -> CompressionAlgo:
    """The compression algorithm of channel data, from its first byte."""
    if len(data) == 0:
        raise CompressionError("channel data is empty")
    b0 = data[0]
    if b0 & 0x0F in (ZLIB_CM8, ZLIB_CM15):
        return CompressionAlgo.ZLIB
    if b0 == CHANNEL_VERSION_BROTLI:
        if not fjord:
            raise CompressionError("brotli channel encoding (version byte 0x01) is not accepted before Fjord")
        return CompressionAlgo.BROTLI
    raise CompressionError(f"unknown channel encoding: first byte 0x{b0:02x} is neither zlib nor brotli")


def decompress_channel(data: bytes, max_rlp_bytes: int, *, fjord: bool) -> bytes:
    """Decompress channel data; return at most ``max_rlp_bytes`` bytes.

    Raises :class:`CompressionError` only when the format cannot be determined (empty data,
    unknown first byte, brotli before Fjord) or ``max_rlp_bytes`` is not positive; a damaged
    stream yields what was decompressed before the damage (see the module documentation).
    """
    return decompress_channel_detailed(data, max_rlp_bytes, fjord=fjord).data


def decompress_channel_detailed(data: bytes, max_rlp_bytes: int, *, fjord: bool) -> DecompressedChannel:
    """Like :func:`decompress_channel`, also reporting the algorithm and why decoding stopped."""
    if max_rlp_bytes <= 0:
        raise CompressionError(f"max_rlp_bytes must be positive, got {max_rlp_bytes}")
    algo = detect_compression(data, fjord=fjord)
    raw = bytes(data)
    fast: tuple[bytes | bytearray, str | None] | None
    if algo is CompressionAlgo.ZLIB:
        fast = _inflate_zlib_fast(raw, max_rlp_bytes)
    else:
        fast = _decode_brotli_fast(raw, max_rlp_bytes)
    if fast is not None:
        out: bytes | bytearray = fast[0]
        reason = fast[1]
    elif algo is CompressionAlgo.ZLIB:
        out, reason = _inflate_zlib(raw, max_rlp_bytes)
    else:
        out, reason = _decode_brotli(memoryview(raw)[1:].tobytes(), max_rlp_bytes)
    limit_reached = len(out) >= max_rlp_bytes
    if len(out) > max_rlp_bytes or not isinstance(out, bytes):
        out = bytes(out[:max_rlp_bytes])
    return DecompressedChannel(algo, out, limit_reached, reason)


# --- zlib ---------------------------------------------------------------------------------------


def _inflate_zlib_fast(data: bytes, limit: int) -> tuple[bytes, str | None] | None:
    """One-call decompression of an undamaged stream; ``None`` if the decoder reports an error.

    Gives the same output and stop reason as :func:`_inflate_zlib` for every stream that decodes
    without an error (the output is cut at ``limit`` in both, and bytes after the end of the
    stream are all unused data in both); a damaged stream is left to :func:`_inflate_zlib`, which
    keeps the output decoded before the damage.
    """
    dec = zlib.decompressobj()
    try:
        out = dec.decompress(data, limit)
    except zlib.error:
        return None
    if len(out) >= limit:
        return out, None
    if dec.eof:
        return out, _trailing_reason(dec.unused_data)
    return out, f"zlib stream truncated after {len(data)} compressed bytes"


def _inflate_zlib(data: bytes, limit: int) -> tuple[bytearray, str | None]:
    out = bytearray()
    dec = zlib.decompressobj()
    pos = 0
    while pos < len(data):
        snapshot = dec.copy()
        chunk = data[pos : pos + _CHUNK]
        try:
            out += dec.decompress(chunk, limit - len(out))
        except zlib.error:
            return out, _replay_zlib(snapshot, data, pos, out, limit)
        pos += len(chunk)
        if len(out) >= limit:
            return out, None
        if dec.eof:
            return out, _trailing_reason(dec.unused_data + data[pos:])
    if dec.eof:
        return out, None
    return out, f"zlib stream truncated after {len(data)} compressed bytes"


def _replay_zlib(
    dec: zlib._Decompress, data: bytes, chunk_pos: int, out: bytearray, limit: int
) -> str | None:
    """Feed the chunk at ``chunk_pos`` byte by byte to ``dec`` (the state before that chunk),
    appending output until the error."""
    end = min(chunk_pos + _CHUNK, len(data))
    for i in range(chunk_pos, end):
        try:
            out += dec.decompress(data[i : i + 1], limit - len(out))
        except zlib.error as exc:
            return f"zlib stream corrupt at compressed byte {i}: {exc}"
        if len(out) >= limit:
            return None
        if dec.eof:
            return _trailing_reason(dec.unused_data + data[i + 1 :])
    return f"zlib stream corrupt in compressed bytes {chunk_pos}..{end - 1}"


def _trailing_reason(unused: bytes) -> str | None:
    return f"{len(unused)} bytes of trailing data after the compressed stream" if unused else None


# --- brotli -------------------------------------------------------------------------------------


def _brotli_feed(dec: brotli.Decompressor, chunk: bytes, out: bytearray, limit: int) -> None:
    """Feed ``chunk``, draining buffered output; stop once ``limit`` bytes are out (may overshoot)."""
    out += dec.process(chunk, output_buffer_limit=limit - len(out))
    while len(out) < limit and not dec.can_accept_more_data():
        out += dec.process(b"", output_buffer_limit=limit - len(out))


def _decode_brotli_fast(channel: bytes, limit: int) -> tuple[bytes | bytearray, str | None] | None:
    """One-call decoding of the brotli stream after the version byte of ``channel``; ``None`` if the
    decoder reports an error.

    The decoder fails on any byte after the end of the stream, so an error-free stream has none,
    and for a complete stream (or one reaching ``limit``) the output and stop reason are those of
    :func:`_decode_brotli` (which feeds the same bytes in chunks); a damaged or truncated stream
    gives ``None`` and is left to :func:`_decode_brotli`.
    """
    dec = brotli.Decompressor()
    try:
        out: bytes | bytearray = dec.process(memoryview(channel)[1:], output_buffer_limit=limit)
        if len(out) < limit and not dec.can_accept_more_data():
            more = bytearray(out)
            while len(more) < limit and not dec.can_accept_more_data():
                more += dec.process(b"", output_buffer_limit=limit - len(more))
            out = more
    except brotli.error:
        return None
    if len(out) >= limit or dec.is_finished():
        return out, None
    # Truncated: output still buffered in the decoder's window depends on how the input was fed,
    # so the chunked decoder decides what is kept.
    return None


def _decode_brotli(data: bytes, limit: int) -> tuple[bytearray, str | None]:
    out = bytearray()
    dec = brotli.Decompressor()
    pos = 0
    while pos < len(data):
        chunk = data[pos : pos + _CHUNK]
        before = len(out)
        try:
            _brotli_feed(dec, chunk, out, limit)
        except brotli.error:
            del out[before:]
            return out, _replay_brotli(data, pos, out, limit)
        pos += len(chunk)
        if len(out) >= limit:
            return out, None
        if dec.is_finished():
            return out, _trailing_reason(data[pos:])
    if dec.is_finished():
        return out, None
    return out, f"brotli stream truncated after {len(data)} compressed bytes"


def _replay_brotli(data: bytes, fail_pos: int, out: bytearray, limit: int) -> str | None:
    """Re-decode ``data[:fail_pos]`` (known good), then the failing chunk byte by byte."""
    dec = brotli.Decompressor()
    expected = len(out)
    del out[:]
    pos = 0
    while pos < fail_pos:
        chunk = data[pos : pos + _CHUNK]
        _brotli_feed(dec, chunk, out, limit)
        pos += len(chunk)
    if len(out) != expected:  # pragma: no cover - a deterministic decoder replays identically
        raise CompressionError("brotli replay diverged")
    end = min(fail_pos + _CHUNK, len(data))
    for i in range(fail_pos, end):
        before = len(out)
        try:
            _brotli_feed(dec, data[i : i + 1], out, limit)
        except brotli.error as exc:
            del out[before:]
            return f"brotli stream corrupt at channel byte {i + 1}: {exc}"
        if len(out) >= limit:
            return None
        if dec.is_finished():
            return _trailing_reason(data[i + 1 :])
    return f"brotli stream corrupt in channel bytes {fail_pos + 1}..{end}"
