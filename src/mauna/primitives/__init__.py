"""Primitive types shared by every layer: bytes helpers, keccak, block identifiers."""

from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import (
    ADDRESS_ZERO,
    HASH_ZERO,
    from_hex,
    hex_to_int,
    int_to_hex,
    keccak256,
    to_hex,
)

__all__ = [
    "ADDRESS_ZERO",
    "HASH_ZERO",
    "BlockID",
    "BlockInfo",
    "L2BlockInfo",
    "from_hex",
    "hex_to_int",
    "int_to_hex",
    "keccak256",
    "to_hex",
]
