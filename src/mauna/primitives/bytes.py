"""Byte and hex helpers and keccak256.

Hex strings are ``0x``-prefixed and lower-case on output; input accepts either case and an optional
prefix. Malformed hex raises :class:`~mauna.errors.DecodeError` naming the offending value.
"""

from __future__ import annotations

from eth_hash.auto import keccak as _keccak

from mauna.errors import DecodeError

HASH_ZERO = b"\x00" * 32
ADDRESS_ZERO = b"\x00" * 20


def keccak256(data: bytes) -> bytes:
    """Keccak-256 digest of ``data`` (the pre-standard SHA-3 Ethereum uses)."""
    return _keccak(data)


def to_hex(data: bytes) -> str:
    """``0x``-prefixed lower-case hex of ``data``."""
    return "0x" + bytes(data).hex()


def from_hex(text: str, *, length: int | None = None, what: str = "hex") -> bytes:
    """Parse ``0x``-prefixed (or bare) hex; optionally require an exact byte length."""
    if not isinstance(text, str):
        raise DecodeError(f"{what}: expected a hex string, got {type(text).__name__}")
    s = text.strip()
    if s[:2] in ("0x", "0X"):
        s = s[2:]
    if len(s) % 2:
        s = "0" + s if length is not None else s
    try:
        out = bytes.fromhex(s)
    except ValueError as exc:
        raise DecodeError(f"{what}: invalid hex {text[:42]!r}") from exc
    if length is not None and len(out) != length:
        raise DecodeError(f"{what}: expected {length} bytes, got {len(out)}")
    return out


def hex_to_int(text: str | int, *, what: str = "quantity") -> int:
    """Parse a JSON-RPC quantity (``0x``-hex) or a plain integer / decimal string."""
    if isinstance(text, bool):
        raise DecodeError(f"{what}: expected an integer, got a bool")
    if isinstance(text, int):
        return text
    if not isinstance(text, str):
        raise DecodeError(f"{what}: expected an integer, got {type(text).__name__}")
    s = text.strip()
    try:
        if s[:2] in ("0x", "0X"):
            return int(s[2:] or "0", 16)
        return int(s, 10)
    except ValueError as exc:
        raise DecodeError(f"{what}: invalid integer {text[:42]!r}") from exc


def int_to_hex(value: int) -> str:
    """JSON-RPC quantity encoding: ``0x`` + minimal hex."""
    return hex(value)
