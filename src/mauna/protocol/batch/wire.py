"""Low-level wire primitives of the span batch format: a bounds-checked byte reader, ``uvarint``
(protobuf Base128 varints) and the RLP item framing used by ``tx_datas``.

Spec: protocol/delta/span-batches.md, "Span batch format" (notation: ``uvarint``, ``rlp_encode``).

Every read names the field it reads, so a truncated or malformed batch raises
:class:`~mauna.errors.BatchError` saying what was being read and where.
"""

from __future__ import annotations

from mauna.errors import BatchError
from mauna.primitives.rlp_utils import rlp_nesting_exceeds as _rlp_nesting_exceeds

#: A ``uvarint`` of a 64-bit value takes at most 10 bytes.
_U64_MAX = (1 << 64) - 1


def encode_uvarint(value: int, *, what: str = "uvarint") -> bytes:
    """The minimal unsigned Base128 varint of a 64-bit value (protobuf encoding)."""
    if value < 0 or value > _U64_MAX:
        raise BatchError(f"{what}: {value} does not fit in a uint64 varint")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class ByteReader:
    """A cursor over immutable bytes; every read is bounds-checked and raises :class:`BatchError`."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self._data = data
        self._pos = pos

    @property
    def pos(self) -> int:
        return self._pos

    @property
    def remaining(self) -> int:
        return len(self._data) - self._pos

    def peek(self, what: str) -> int:
        """The next byte, without consuming it."""
        if self._pos >= len(self._data):
            raise BatchError(f"{what}: needs 1 byte, 0 remaining (offset {self._pos})")
        return self._data[self._pos]

    def read(self, n: int, what: str) -> bytes:
        """Read exactly ``n`` bytes."""
        if n > self.remaining:
            raise BatchError(f"{what}: needs {n} bytes, {self.remaining} remaining (offset {self._pos})")
        out = self._data[self._pos : self._pos + n]
        self._pos += n
        return out

    def read_uvarint(self, what: str) -> int:
        """Read a protobuf ``uvarint`` holding a uint64.

        Like Go's ``binary.ReadUvarint`` (op-node): non-minimal encodings are accepted, a value that
        overflows 64 bits or a varint cut short by the end of the data is an error.
        """
        start = self._pos
        try:
            (value,), self._pos = read_uvarints(self._data, start, 1)
        except IndexError:
            raise BatchError(f"{what}: truncated uvarint at offset {start}") from None
        except UvarintOverflow:
            raise BatchError(f"{what}: uvarint at offset {start} overflows 64 bits") from None
        return value

    def read_rlp_list(self, what: str, *, max_size: int) -> bytes:
        """Read one complete RLP list item (header and payload) and return its raw bytes.

        The header must be canonical (as go-ethereum's ``rlp.Stream`` requires) and the whole item,
        header included, may not exceed ``max_size`` bytes.
        """
        start = self._pos
        if self.remaining < 1:
            raise BatchError(f"{what}: missing RLP list at offset {start}")
        prefix = self._data[start]
        if prefix < 0xC0:
            raise BatchError(f"{what}: expected an RLP list at offset {start}, found prefix 0x{prefix:02x}")
        if prefix <= 0xF7:
            header_len = 1
            payload_len = prefix - 0xC0
        else:
            len_of_len = prefix - 0xF7
            raw_len = self.read(1 + len_of_len, what)[1:]
            self._pos = start
            if raw_len[0] == 0:
                raise BatchError(f"{what}: non-canonical RLP list size (leading zero) at offset {start}")
            header_len = 1 + len_of_len
            payload_len = int.from_bytes(raw_len, "big")
            if payload_len < 56:
                raise BatchError(f"{what}: non-canonical RLP list size {payload_len} at offset {start}")
        if payload_len > max_size - header_len:
            raise BatchError(f"{what}: RLP list of {header_len + payload_len} bytes exceeds {max_size}")
        return self.read(header_len + payload_len, what)


def rlp_item_end(data: bytes, what: str) -> int:
    """The length of the single RLP item at the start of ``data`` (trailing bytes are not read).

    The header must be canonical; the item must fit in ``data``.
    """
    if not data:
        raise BatchError(f"{what}: empty input, expected an RLP item")
    prefix = data[0]
    if prefix < 0x80:
        return 1
    if prefix <= 0xB7:
        end = 1 + prefix - 0x80
    elif prefix < 0xC0:
        end = _long_item_end(data, prefix - 0xB7, what)
    elif prefix <= 0xF7:
        end = 1 + prefix - 0xC0
    else:
        end = _long_item_end(data, prefix - 0xF7, what)
    if end > len(data):
        raise BatchError(f"{what}: RLP item of {end} bytes but only {len(data)} available")
    return end


def _long_item_end(data: bytes, len_of_len: int, what: str) -> int:
    if len(data) < 1 + len_of_len:
        raise BatchError(f"{what}: truncated RLP length prefix")
    raw_len = data[1 : 1 + len_of_len]
    if raw_len[0] == 0:
        raise BatchError(f"{what}: non-canonical RLP size (leading zero)")
    size = int.from_bytes(raw_len, "big")
    if size < 56:
        raise BatchError(f"{what}: non-canonical RLP size {size} in long form")
    return 1 + len_of_len + size


#: Deepest RLP list nesting any batch structure needs is 4 (tx > access list > entry > keys);
#: anything deeper is malformed. Checked before decoding, because the RLP decoder recurses and
#: crashes the process on inputs nested tens of thousands of levels deep.
MAX_RLP_NESTING = 16


def rlp_nesting_exceeds(data: bytes, max_depth: int = MAX_RLP_NESTING) -> bool:
    """Whether ``data`` nests RLP lists deeper than ``max_depth`` (batch data nests at most 4 deep)."""
    return _rlp_nesting_exceeds(data, max_depth)


class UvarintOverflow(Exception):
    """Raised by :func:`read_uvarints` for a uvarint that overflows 64 bits (callers then fall back to
    :class:`ByteReader`, whose :class:`BatchError` names the field)."""


def read_uvarints(data: bytes, pos: int, count: int) -> tuple[list[int], int]:
    """``count`` uvarints from ``data[pos:]`` and the offset after them (Go ``binary.ReadUvarint``
    rules, as :meth:`ByteReader.read_uvarint`); IndexError when the data ends first."""
    out: list[int] = []
    append = out.append
    for _ in range(count):
        b = data[pos]
        pos += 1
        if b < 0x80:
            append(b)
            continue
        value = b & 0x7F
        shift = 7
        while True:
            b = data[pos]
            pos += 1
            if b < 0x80:
                if shift == 63 and b > 1:
                    raise UvarintOverflow
                append(value | b << shift)
                break
            if shift == 63:
                raise UvarintOverflow
            value |= (b & 0x7F) << shift
            shift += 7
    return out, pos
