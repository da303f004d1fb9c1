"""Channel compression (protocol/derivation.md "Channel Format", fjord "Brotli Channel Compression")."""

from __future__ import annotations

import os
import random
import zlib
from pathlib import Path

import brotli
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import CompressionError
from mauna.protocol.compression import (
    CHANNEL_VERSION_BROTLI,
    MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
    CompressionAlgo,
    compress_brotli,
    compress_zlib,
    decompress_channel,
    decompress_channel_detailed,
    detect_compression,
    max_rlp_bytes_per_channel,
)

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
BATCH = bytes.fromhex((KONA / "derive" / "batch.hex").read_text().strip())
DECOMPRESSED_LEN = 1_409_463


def test_fixture_sizes() -> None:
    assert len(BATCH) == 615_361
    assert BATCH[:2] == b"\x78\xda"


def test_real_channel_decompresses() -> None:
    result = decompress_channel_detailed(BATCH, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=False)
    assert result.algo is CompressionAlgo.ZLIB
    assert result.stop_reason is None
    assert result.limit_reached is False
    assert len(result.data) == DECOMPRESSED_LEN
    # one long RLP string (3 length bytes: 0x1581b3 = 1409459) holding a span batch (type 1)
    assert result.data[:5] == bytes.fromhex("ba1581b301")
    assert result.data == zlib.decompress(BATCH)
    assert decompress_channel(BATCH, MAX_RLP_BYTES_PER_CHANNEL_FJORD, fjord=True) == result.data


@pytest.mark.parametrize("limit", [1, 1000, 65_536, 1_000_000, DECOMPRESSED_LEN - 1])
def test_real_channel_clipped_to_limit(limit: int) -> None:
    full = zlib.decompress(BATCH)
    result = decompress_channel_detailed(BATCH, limit, fjord=False)
    assert result.data == full[:limit]
    assert result.limit_reached is True
    assert result.stop_reason is None


def test_limit_parameters() -> None:
    assert max_rlp_bytes_per_channel(fjord=False) == 10_000_000
    assert max_rlp_bytes_per_channel(fjord=True) == 100_000_000
    with pytest.raises(CompressionError, match="must be positive"):
        decompress_channel(BATCH, 0, fjord=False)


def test_detection() -> None:
    assert detect_compression(b"\x78\x9c", fjord=False) is CompressionAlgo.ZLIB
    assert detect_compression(b"\x08", fjord=False) is CompressionAlgo.ZLIB
    assert detect_compression(b"\x0f", fjord=False) is CompressionAlgo.ZLIB
    assert detect_compression(b"\xff", fjord=True) is CompressionAlgo.ZLIB
    assert detect_compression(b"\x01", fjord=True) is CompressionAlgo.BROTLI
    with pytest.raises(CompressionError, match="before Fjord"):
        detect_compression(b"\x01", fjord=False)
    with pytest.raises(CompressionError, match="empty"):
        detect_compression(b"", fjord=True)
    for b0 in (0x00, 0x02, 0x11, 0x77, 0xF0):
        with pytest.raises(CompressionError, match=f"first byte 0x{b0:02x}"):
            decompress_channel(bytes([b0]) + b"payload", 1000, fjord=True)


def test_zlib_reserved_method_yields_nothing() -> None:
    # Detected as zlib (low nibble 15), but not a valid zlib header: nothing decompresses.
    result = decompress_channel_detailed(b"\x0f\x00abc", 1000, fjord=True)
    assert result.algo is CompressionAlgo.ZLIB
    assert result.data == b""
    assert result.stop_reason is not None and "corrupt" in result.stop_reason


def test_compress_formats() -> None:
    data = b"batch data " * 100
    z = compress_zlib(data)
    assert z == zlib.compress(data, 9)
    assert z[0] & 0x0F == 8
    b = compress_brotli(data)
    assert b[0] == CHANNEL_VERSION_BROTLI
    assert brotli.decompress(b[1:]) == data
    assert decompress_channel(z, 10_000, fjord=False) == data
    assert decompress_channel(b, 10_000, fjord=True) == data
    with pytest.raises(CompressionError, match="before Fjord"):
        decompress_channel(b, 10_000, fjord=False)


@pytest.mark.parametrize("compress", [compress_zlib, compress_brotli])
def test_zip_bomb_is_clipped(compress: object) -> None:
    assert callable(compress)
    bomb = compress(bytes(30_000_000))
    assert len(bomb) < 100_000
    result = decompress_channel_detailed(bomb, 1_000_000, fjord=True)
    assert result.data == bytes(1_000_000)
    assert result.limit_reached is True


def test_zlib_truncated_stream_keeps_prefix() -> None:
    data = os.urandom(200_000)
    stream = compress_zlib(data)
    for cut in (50_000, 100_000, len(stream) - 4, len(stream) - 1):
        result = decompress_channel_detailed(stream[:cut], 10**6, fjord=False)
        assert data.startswith(result.data)
        assert len(result.data) >= cut - 200  # random data: stored blocks, nearly 1:1
        assert result.stop_reason == f"zlib stream truncated after {cut} compressed bytes"


def test_zlib_bad_checksum_keeps_all_data() -> None:
    data = b"some channel data " * 5000
    stream = bytearray(compress_zlib(data))
    stream[-1] ^= 0x01
    result = decompress_channel_detailed(bytes(stream), 10**6, fjord=False)
    assert result.data == data
    assert result.stop_reason is not None
    assert f"corrupt at compressed byte {len(stream) - 1}" in result.stop_reason
    assert "incorrect data check" in result.stop_reason


def test_zlib_trailing_garbage_ignored() -> None:
    data = b"x" * 100_000
    result = decompress_channel_detailed(compress_zlib(data) + b"garbage", 10**6, fjord=False)
    assert result.data == data
    assert result.stop_reason == "7 bytes of trailing data after the compressed stream"


def _stored_blocks_then_bad_block(blocks: list[bytes]) -> bytes:
    """A zlib stream of non-final stored deflate blocks followed by a reserved (invalid) block type."""
    out = bytearray(b"\x78\x01")
    for block in blocks:
        n = len(block)
        out += b"\x00" + n.to_bytes(2, "little") + (n ^ 0xFFFF).to_bytes(2, "little") + block
    out += b"\x07"  # BFINAL=1, BTYPE=11 (reserved): invalid
    return bytes(out)


def test_zlib_output_before_corruption_is_kept() -> None:
    # The invalid block header sits inside the second 64 KiB input chunk.
    blocks = [bytes([i]) * 40_000 for i in range(1, 4)]
    stream = _stored_blocks_then_bad_block(blocks)
    result = decompress_channel_detailed(stream, 10**6, fjord=False)
    assert result.data == b"".join(blocks)
    assert result.stop_reason is not None
    assert f"corrupt at compressed byte {len(stream) - 1}" in result.stop_reason
    # A single block inside the first chunk.
    assert decompress_channel(_stored_blocks_then_bad_block([b"abc"]), 100, fjord=False) == b"abc"
    # The limit still applies on the recovery path.
    assert decompress_channel(stream, 50_000, fjord=False) == b"".join(blocks)[:50_000]


def test_brotli_truncated_stream_keeps_prefix() -> None:
    data = os.urandom(150_000)
    stream = compress_brotli(data, quality=5)
    for cut in (1_000, 70_000, len(stream) - 1):
        result = decompress_channel_detailed(stream[:cut], 10**6, fjord=True)
        assert data.startswith(result.data)
        assert len(result.data) >= cut - 70_000
        assert result.stop_reason == f"brotli stream truncated after {cut - 1} compressed bytes"


@pytest.mark.parametrize("size", [10, 100_000, 300_000])
def test_brotli_trailing_garbage_keeps_all_data(size: int) -> None:
    data = os.urandom(size // 2) + bytes(size - size // 2)
    stream = compress_brotli(data, quality=5)
    result = decompress_channel_detailed(stream + b"\x00garbage", 10**6, fjord=True)
    assert result.data == data
    assert result.stop_reason == "8 bytes of trailing data after the compressed stream"


def test_brotli_corrupt_header() -> None:
    result = decompress_channel_detailed(b"\x01\xff\xff\xff\xff", 100, fjord=True)
    assert result.algo is CompressionAlgo.BROTLI
    assert result.data == b""
    assert result.stop_reason is not None and "corrupt" in result.stop_reason


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000), st.booleans(), st.integers(1, 4000))
def test_roundtrip(data: bytes, use_brotli: bool, limit: int) -> None:
    stream = compress_brotli(data, quality=4) if use_brotli else compress_zlib(data)
    result = decompress_channel_detailed(stream, limit, fjord=True)
    assert result.data == data[:limit]
    if limit > len(data):
        assert result.stop_reason is None
        assert result.limit_reached is False


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_fuzz_random_bytes(data: bytes, fjord: bool) -> None:
    try:
        out = decompress_channel(data, 10_000, fjord=fjord)
    except CompressionError:
        return
    assert len(out) <= 10_000


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_fuzz_mutated_streams(seed: int, use_brotli: bool) -> None:
    rng = random.Random(seed)
    data = rng.randbytes(rng.randrange(0, 2000)) + bytes(rng.randrange(0, 50_000))
    stream = bytearray(compress_brotli(data, quality=3) if use_brotli else compress_zlib(data))
    for _ in range(rng.randrange(1, 5)):
        pos = rng.randrange(len(stream))
        if rng.random() < 0.8:
            stream[pos] = rng.randrange(256)
        else:
            del stream[pos:]
            if not stream:
                return
    try:
        out = decompress_channel(bytes(stream), 20_000, fjord=True)
    except CompressionError:
        return
    assert len(out) <= 20_000


@settings(max_examples=30, deadline=None)
@given(st.integers(0, len(BATCH) - 1), st.integers(0, 255))
def test_fuzz_mutated_real_channel(pos: int, value: int) -> None:
    stream = bytearray(BATCH)
    stream[pos] = value
    try:
        out = decompress_channel(bytes(stream), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, fjord=True)
    except CompressionError:
        assert pos == 0
        return
    assert len(out) <= MAX_RLP_BYTES_PER_CHANNEL_BEDROCK


def test_zlib_trailing_garbage_across_chunks() -> None:
    # Random data: the stream end and the garbage fall in a chunk that fails as a whole.
    data = os.urandom(100_000)
    garbage = b"\xff" * 200_000
    result = decompress_channel_detailed(compress_zlib(data) + garbage, 10**6, fjord=False)
    assert result.data == data
    assert result.stop_reason == "200000 bytes of trailing data after the compressed stream"
