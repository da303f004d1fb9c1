"""OP Stack blob encoding of rollup data into EIP-4844 blobs, and KZG versioned hashes.

Spec: protocol/ecotone/derivation.md, "Blob Encoding"; versioned hashes per EIP-4844
(``kzg_to_versioned_hash``).

A blob is 4096 field elements of 32 bytes. Rollup data is prefixed with the encoding version (0) and
its length as a big-endian uint24, and the resulting byte stream is written 127 bytes at a time into
4 adjacent field elements: each element takes 31 bytes of the stream in its low bytes and 6 bits of
the 4 leftover bytes ``x, y, z`` (3 bytes = 24 bits = 4 x 6) in its first byte, whose top two bits
stay 0 so every element is below the BLS modulus. 1024 such rounds fill the blob:
``(4 * 31 + 3) * 1024 = 130048`` stream bytes, of which 4 are the header.

Decoding requires: blob length ``BLOB_SIZE``, version byte 0, length at most
``MAX_BLOB_DATA_SIZE``, the top two bits of every field element 0, and every stream byte after the
data 0 ("to keep the encoding/decoding bijective"). Otherwise :class:`BlobError`.
"""

from __future__ import annotations

import hashlib

from mauna.errors import BlobError

BLOB_SIZE = 131072
FIELD_ELEMENTS_PER_BLOB = 4096
BYTES_PER_FIELD_ELEMENT = 32
ENCODING_ROUNDS = 1024
ROUND_BYTES = 4 * 31 + 3  # stream bytes per round of 4 field elements
STREAM_SIZE = ROUND_BYTES * ENCODING_ROUNDS  # 130048
MAX_BLOB_DATA_SIZE = STREAM_SIZE - 4  # 130044
ENCODING_VERSION = 0

VERSIONED_HASH_VERSION_KZG = 0x01
BYTES_PER_COMMITMENT = 48


def encode_blob(data: bytes) -> bytes:
    """Encode rollup ``data`` (at most ``MAX_BLOB_DATA_SIZE`` bytes) into a blob."""
    if len(data) > MAX_BLOB_DATA_SIZE:
        raise BlobError(f"blob data length {len(data)} exceeds MAX_BLOB_DATA_SIZE {MAX_BLOB_DATA_SIZE}")
    stream = bytearray(STREAM_SIZE)
    stream[0] = ENCODING_VERSION
    stream[1:4] = len(data).to_bytes(3, "big")
    stream[4 : 4 + len(data)] = data
    used_rounds = -(-(4 + len(data)) // ROUND_BYTES)
    blob = bytearray(BLOB_SIZE)
    for r in range(used_rounds):
        s = r * ROUND_BYTES
        b = r * 4 * BYTES_PER_FIELD_ELEMENT
        x, y, z = stream[s + 31], stream[s + 63], stream[s + 95]
        blob[b] = x & 0b0011_1111
        blob[b + 1 : b + 32] = stream[s : s + 31]
        blob[b + 32] = (y & 0b0000_1111) | ((x & 0b1100_0000) >> 2)
        blob[b + 33 : b + 64] = stream[s + 32 : s + 63]
        blob[b + 64] = z & 0b0011_1111
        blob[b + 65 : b + 96] = stream[s + 64 : s + 95]
        blob[b + 96] = ((z & 0b1100_0000) >> 2) | ((y & 0b1111_0000) >> 4)
        blob[b + 97 : b + 128] = stream[s + 96 : s + 127]
    return bytes(blob)


def decode_blob(blob: bytes) -> bytes:
    """Decode an OP-encoded blob back into its rollup data; :class:`BlobError` if invalid."""
    if len(blob) != BLOB_SIZE:
        raise BlobError(f"blob is {len(blob)} bytes, expected {BLOB_SIZE}")
    blob = bytes(blob)
    if blob[1] != ENCODING_VERSION:
        raise BlobError(f"blob encoding version is {blob[1]}, expected {ENCODING_VERSION}")
    length = int.from_bytes(blob[2:5], "big")
    if length > MAX_BLOB_DATA_SIZE:
        raise BlobError(f"blob data length {length} exceeds MAX_BLOB_DATA_SIZE {MAX_BLOB_DATA_SIZE}")
    high = blob[::BYTES_PER_FIELD_ELEMENT]
    if any(h & 0b1100_0000 for h in high):
        index = next(i for i, h in enumerate(high) if h & 0b1100_0000)
        raise BlobError(f"field element {index} has its top two bits set (first byte 0x{high[index]:02x})")
    stream = bytearray(STREAM_SIZE)
    for r in range(ENCODING_ROUNDS):
        s = r * ROUND_BYTES
        b = r * 4 * BYTES_PER_FIELD_ELEMENT
        e0, e1, e2, e3 = blob[b], blob[b + 32], blob[b + 64], blob[b + 96]
        stream[s : s + 31] = blob[b + 1 : b + 32]
        stream[s + 31] = e0 | ((e1 & 0b0011_0000) << 2)
        stream[s + 32 : s + 63] = blob[b + 33 : b + 64]
        stream[s + 63] = (e1 & 0b0000_1111) | ((e3 & 0b0000_1111) << 4)
        stream[s + 64 : s + 95] = blob[b + 65 : b + 96]
        stream[s + 95] = e2 | ((e3 & 0b0011_0000) << 2)
        stream[s + 96 : s + 127] = blob[b + 97 : b + 128]
    end = 4 + length
    if any(stream[end:]):
        first = end + next(i for i, v in enumerate(stream[end:]) if v)
        raise BlobError(
            f"non-zero byte 0x{stream[first]:02x} at stream offset {first}, after the "
            f"{length}-byte data (field element {_element_of_stream_offset(first)})"
        )
    return bytes(stream[4:end])


def _element_of_stream_offset(offset: int) -> int:
    """The field element holding (the low bits of) stream byte ``offset``."""
    r, k = divmod(offset, ROUND_BYTES)
    if k in (31, 63, 95):  # the 3 bytes spread over the elements' first bytes
        return r * 4 + (0 if k == 31 else 1 if k == 63 else 2)
    return r * 4 + min(k // 32, 3)


def kzg_to_versioned_hash(commitment: bytes) -> bytes:
    """EIP-4844 versioned hash: ``0x01 ++ sha256(commitment)[1:]``."""
    if len(commitment) != BYTES_PER_COMMITMENT:
        raise BlobError(f"KZG commitment is {len(commitment)} bytes, expected {BYTES_PER_COMMITMENT}")
    return bytes([VERSIONED_HASH_VERSION_KZG]) + hashlib.sha256(commitment).digest()[1:]
