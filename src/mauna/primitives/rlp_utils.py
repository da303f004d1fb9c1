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


def rlp_decode(data: bytes, *, what: str = "rlp", strict: bool = True) -> Any:
    """RLP-decode ``data`` to bytes / nested lists; any malformation raises :class:`DecodeError`."""
    try:
        return rlp.decode(bytes(data), strict=strict)
    except (DecodingError, ValueError, TypeError, IndexError) as exc:
        raise DecodeError(f"{what}: invalid RLP ({exc})") from exc


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
