"""Standard span-batch bitlists.

Spec: protocol/delta/span-batches.md, "Span batch format": "Standard bitlists, in the context of
span-batches, are encoded as big-endian integers, left-padded with zeroes to the next multiple of 8
bits." A bitlist of ``n`` bits therefore takes ``ceil(n / 8)`` bytes, and bit ``i`` is bit ``i`` of
the integer (bit 0 is the least significant bit of the last byte).

A bitlist is held as a plain Python ``int``.
"""

from __future__ import annotations

from mauna.errors import BatchError
from mauna.protocol.batch.wire import ByteReader


def bitlist_byte_length(bit_length: int) -> int:
    """Bytes taken by a bitlist of ``bit_length`` bits."""
    return (bit_length + 7) // 8


def encode_bitlist(bits: int, bit_length: int, *, what: str) -> bytes:
    """Encode ``bits`` as a standard bitlist of ``bit_length`` bits."""
    if bits < 0:
        raise BatchError(f"{what}: negative bitlist")
    if bits.bit_length() > bit_length:
        raise BatchError(f"{what}: bitlist has {bits.bit_length()} bits, but at most {bit_length} allowed")
    return bits.to_bytes(bitlist_byte_length(bit_length), "big")


def decode_bitlist(reader: ByteReader, bit_length: int, *, what: str) -> int:
    """Read a standard bitlist of ``bit_length`` bits; set bits beyond ``bit_length`` are an error."""
    raw = reader.read(bitlist_byte_length(bit_length), what)
    bits = int.from_bytes(raw, "big")
    if bits.bit_length() > bit_length:
        raise BatchError(f"{what}: bitlist has {bits.bit_length()} bits, but at most {bit_length} allowed")
    return bits


def get_bit(bits: int, index: int) -> int:
    """Bit ``index`` (0 or 1) of a bitlist."""
    return (bits >> index) & 1


def bits_from_flags(flags: list[bool] | tuple[bool, ...]) -> int:
    """A bitlist whose bit ``i`` is ``flags[i]``."""
    digits = "".join("1" if flag else "0" for flag in reversed(flags))
    return int(digits, 2) if digits else 0
