"""Thin, typed wrappers over the ``rlp`` package that turn its errors into :class:`DecodeError`."""

from __future__ import annotations

from typing import Any

import rlp
from rlp.exceptions import DecodingError

from mauna.errors import DecodeError

RLPItem = bytes | list[Any]


def rlp_encode(item: Any) -> bytes:
    """RLP-encode bytes / nested lists of bytes (ints are encoded as minimal big-endian)."""
    return bytes(rlp.encode(item))


# The ``rlp`` decoder recurses once per nesting level: input nested tens of thousands of levels deep
# (a few tens of kilobytes) would exhaust the interpreter's stack. No Ethereum structure nests deeper
# than a handful of levels, so anything past this bound is rejected before decoding.
MAX_RLP_DECODE_DEPTH = 32


def rlp_decode(data: bytes, *, what: str = "rlp", strict: bool = True) -> Any:
    """RLP-decode ``data`` to bytes / nested lists; any malformation raises :class:`DecodeError`."""
    if strict:
        item = rlp_decode_canonical(data, MAX_RLP_DECODE_DEPTH)
        if item is not None:
            return item
    # Malformed input (or non-strict decoding): the checks below name the problem.
    if rlp_nesting_exceeds(data, MAX_RLP_DECODE_DEPTH):
        raise DecodeError(f"{what}: RLP lists nested deeper than {MAX_RLP_DECODE_DEPTH} levels")
    try:
        return rlp.decode(bytes(data), strict=strict)
    except (DecodingError, ValueError, TypeError, IndexError) as exc:
        raise DecodeError(f"{what}: invalid RLP ({exc})") from exc


def rlp_decode_canonical(data: bytes, max_depth: int, start: int = 0, end: int | None = None) -> Any:
    """Decode the single canonical RLP item spanning exactly ``data[start:end]``; ``None`` if it is not one.

    Iterative (no recursion), and lists nested deeper than ``max_depth`` give ``None`` as well. The
    input is accepted only when it is one well-formed item with canonical length prefixes (a single
    byte below 0x80 is never wrapped in a string header, long forms only for 56 bytes or more,
    lengths without leading zero bytes) and no trailing bytes, so an accepted input decodes exactly
    as :func:`rlp.decode` would decode it. ``None`` says nothing about why the input was refused:
    callers report errors through the slower, descriptive path.
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    n = len(data)
    if end is None or end > n:
        end = n
    pos = start
    root: list[Any] = []
    items = root
    limit = end
    stack: list[tuple[list[Any], int]] = []
    size_of = int.from_bytes
    while True:
        if pos >= limit:
            if not stack:
                break
            done = items
            items, limit = stack.pop()
            items.append(done)
            continue
        b0 = data[pos]
        if b0 < 0x80:
            items.append(data[pos : pos + 1])
            pos += 1
        elif b0 < 0xB8:
            first = pos + 1
            pos = first + b0 - 0x80
            if pos > limit or (b0 == 0x81 and data[first] < 0x80):
                return None
            items.append(data[first:pos])
        elif b0 < 0xC0:
            first = pos + b0 - 0xB6
            if first > limit or data[pos + 1] == 0:
                return None
            size = size_of(data[pos + 1 : first], "big")
            if size < 56:
                return None
            pos = first + size
            if pos > limit:
                return None
            items.append(data[first:pos])
        else:
            if b0 < 0xF8:
                first = pos + 1
                size = b0 - 0xC0
            else:
                first = pos + b0 - 0xF6
                if first > limit or data[pos + 1] == 0:
                    return None
                size = size_of(data[pos + 1 : first], "big")
                if size < 56:
                    return None
            list_end = first + size
            if list_end > limit or len(stack) >= max_depth:
                return None
            stack.append((items, limit))
            items = []
            limit = list_end
            pos = first
    return root[0] if len(root) == 1 else None


def rlp_int(value: bytes, *, what: str = "integer") -> int:
    """Decode a canonical RLP scalar (no leading zero bytes)."""
    if not isinstance(value, bytes):
        raise DecodeError(f"{what}: expected a byte string, got a list")
    if value[:1] == b"\x00":
        raise DecodeError(f"{what}: non-canonical integer with leading zero byte")
    return int.from_bytes(value, "big")


def int_bytes(value: int) -> bytes:
    """Minimal big-endian bytes of a non-negative integer (empty for zero), as RLP scalars use."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""


def rlp_nesting_exceeds(data: bytes, max_depth: int) -> bool:
    """Whether ``data`` holds RLP lists nested deeper than ``max_depth`` (iterative scan).

    Malformed framing is not reported here (the scan just stops); the decoder reports it.
    """
    ends: list[int] = []
    pos = 0
    size_of = int.from_bytes
    n = len(data)
    while pos < n:
        while ends and pos >= ends[-1]:
            ends.pop()
        prefix = data[pos]
        if prefix < 0x80:
            pos += 1
        elif prefix < 0xB8:
            pos += 1 + prefix - 0x80
        elif prefix < 0xC0:
            len_of_len = prefix - 0xB7
            pos += 1 + len_of_len + size_of(data[pos + 1 : pos + 1 + len_of_len], "big")
        else:
            if prefix < 0xF8:
                header, size = 1, prefix - 0xC0
            else:
                len_of_len = prefix - 0xF7
                header = 1 + len_of_len
                size = size_of(data[pos + 1 : pos + header], "big")
            ends.append(pos + header + size)
            if len(ends) > max_depth:
                return True
            pos += header
    return False
