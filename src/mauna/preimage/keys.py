"""Pre-image keys: a type byte followed by 31 bytes of key data.

Spec: fault-proof "Pre-image key types". A key is ``bytes32``; the first byte is the
:class:`PreimageKeyType`, the remaining 31 bytes identify the pre-image. For hash-derived keys
(keccak256, sha256, blob, precompile) the type byte overwrites the first byte of a 32-byte digest,
so the key data is the low-order 31 bytes of that digest. Local keys carry an index big-endian in
the key data (a ``uint64`` in the last 8 bytes, as kona and op-program write it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum

from mauna.preimage.errors import PreimageKeyError
from mauna.primitives import keccak256

KEY_SIZE = 32
KEY_DATA_SIZE = 31
BLOB_COMMITMENT_SIZE = 48
ADDRESS_SIZE = 20
MAX_UINT64 = (1 << 64) - 1


class PreimageKeyType(IntEnum):
    """Type byte of a pre-image key. Type ``0`` is illegal; 7-128 are reserved by the protocol."""

    LOCAL = 1
    KECCAK256 = 2
    GLOBAL_GENERIC = 3
    SHA256 = 4
    BLOB = 5
    PRECOMPILE = 6


# --- local key indices (bootstrapping) --------------------------------------------------------
# Indices 1-5 are shared by every implementation (fault-proof ABI).
L1_HEAD_KEY = 1
"""L1 head block hash (32 bytes): the tip of the L1 chain the program may see."""
L2_OUTPUT_ROOT_KEY = 2
"""Agreed L2 output root (32 bytes); the agreed super-root pre-state commitment under interop."""
L2_CLAIM_KEY = 3
"""Disputed L2 output root claim (32 bytes); the claimed super-root post-state under interop."""
L2_CLAIM_BLOCK_NUMBER_KEY = 4
"""Disputed L2 block number (``uint64`` big-endian, 8 bytes); the claimed timestamp under interop."""
L2_CHAIN_ID_KEY = 5
"""L2 chain id (``uint64`` big-endian, 8 bytes)."""

# Custom-chain configuration, kona numbering (kona-preimage ``local_keys``).
L2_ROLLUP_CONFIG_KEY = 6
"""Rollup configuration JSON of a chain not built into the program (kona numbering)."""
L1_CONFIG_KEY = 7
"""L1 chain configuration JSON (kona numbering)."""
DEPENDENCY_SET_KEY = 8
"""Interop dependency set JSON (kona numbering)."""

# Custom-chain configuration, op-program numbering (op-preimage ``local_keys.go``). op-program
# serves the L2 genesis chain config at 6 and shifts the rest by one: the two hosts are not
# interchangeable for custom chains, only for indices 1-5.
OP_PROGRAM_L2_CHAIN_CONFIG_KEY = 6
"""L2 chain (genesis) configuration JSON (op-program numbering)."""
OP_PROGRAM_ROLLUP_CONFIG_KEY = 7
"""Rollup configuration JSON (op-program numbering)."""
OP_PROGRAM_DEPENDENCY_SET_KEY = 8
"""Interop dependency set JSON (op-program numbering)."""
OP_PROGRAM_L1_CHAIN_CONFIG_KEY = 9
"""L1 chain configuration JSON (op-program numbering)."""


@dataclass(frozen=True, slots=True)
class PreimageKey:
    """A typed pre-image key: ``key_type`` and 31 bytes of ``data``."""

    key_type: PreimageKeyType
    data: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.data, bytes | bytearray | memoryview):
            raise PreimageKeyError(f"pre-image key data: expected bytes, got {type(self.data).__name__}")
        data = bytes(self.data)
        if len(data) != KEY_DATA_SIZE:
            raise PreimageKeyError(f"pre-image key data: expected {KEY_DATA_SIZE} bytes, got {len(data)}")
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "key_type", _key_type(self.key_type))

    def encode(self) -> bytes:
        """The 32-byte wire form: type byte ‖ 31 bytes of data."""
        return bytes((int(self.key_type),)) + self.data

    @classmethod
    def decode(cls, raw: bytes) -> PreimageKey:
        """Parse a 32-byte key; the type byte must be a known :class:`PreimageKeyType`."""
        if not isinstance(raw, bytes | bytearray | memoryview):
            raise PreimageKeyError(f"pre-image key: expected bytes, got {type(raw).__name__}")
        raw = bytes(raw)
        if len(raw) != KEY_SIZE:
            raise PreimageKeyError(f"pre-image key: expected {KEY_SIZE} bytes, got {len(raw)}")
        return cls(_key_type(raw[0]), raw[1:])

    @classmethod
    def from_digest(cls, key_type: PreimageKeyType | int, digest: bytes) -> PreimageKey:
        """Key of ``key_type`` from a 32-byte digest: its first byte is replaced by the type byte."""
        digest = _fixed(digest, KEY_SIZE, "digest")
        return cls(_key_type(key_type), digest[1:])

    @property
    def local_index(self) -> int:
        """The key data read as a big-endian integer (the index of a local key)."""
        return int.from_bytes(self.data, "big")

    def hex(self) -> str:
        """``0x``-prefixed lower-case hex of the 32-byte key."""
        return "0x" + self.encode().hex()

    def __str__(self) -> str:
        return self.hex()

    def __repr__(self) -> str:
        return f"PreimageKey({self.key_type.name}, {self.hex()})"


def _key_type(value: object) -> PreimageKeyType:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PreimageKeyError(f"pre-image key type: expected an integer, got {type(value).__name__}")
    try:
        return PreimageKeyType(value)
    except ValueError:
        if value == 0:
            raise PreimageKeyError("pre-image key type 0 is illegal") from None
        raise PreimageKeyError(f"unknown pre-image key type {value}") from None


def _fixed(value: object, size: int, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise PreimageKeyError(f"{what}: expected bytes, got {type(value).__name__}")
    out = bytes(value)
    if len(out) != size:
        raise PreimageKeyError(f"{what}: expected {size} bytes, got {len(out)}")
    return out


def _uint256(value: int | bytes, what: str) -> bytes:
    if isinstance(value, bool):
        raise PreimageKeyError(f"{what}: expected an integer or 32 bytes, got a bool")
    if isinstance(value, int):
        if not 0 <= value < 1 << 256:
            raise PreimageKeyError(f"{what}: {value} does not fit in uint256")
        return value.to_bytes(32, "big")
    return _fixed(value, 32, what)


# --- constructors -----------------------------------------------------------------------------
def local_key(index: int) -> PreimageKey:
    """Local key for bootstrap input ``index``, written big-endian into the 31 key bytes.

    For ``index < 2**64`` this is exactly kona's ``new_local`` / op-program's ``LocalIndexKey``.
    """
    if isinstance(index, bool) or not isinstance(index, int):
        raise PreimageKeyError(f"local key index: expected an integer, got {type(index).__name__}")
    if not 0 <= index < 1 << (8 * KEY_DATA_SIZE):
        raise PreimageKeyError(f"local key index {index} does not fit in {KEY_DATA_SIZE} bytes")
    return PreimageKey(PreimageKeyType.LOCAL, index.to_bytes(KEY_DATA_SIZE, "big"))


def keccak256_key(digest: bytes) -> PreimageKey:
    """Keccak-256 key from the 32-byte digest of the pre-image: ``0x02 ‖ digest[1:]``."""
    return PreimageKey.from_digest(PreimageKeyType.KECCAK256, digest)


def keccak256_key_for(preimage: bytes) -> PreimageKey:
    """Keccak-256 key of ``preimage`` (hashes it first)."""
    return keccak256_key(keccak256(bytes(preimage)))


def sha256_key(digest: bytes) -> PreimageKey:
    """SHA-256 key from a 32-byte digest: ``0x04 ‖ digest[1:]``.

    An EIP-4844 versioned hash (``0x01 ‖ sha256(commitment)[1:]``) maps to the key of the
    commitment, which is how blob commitments are fetched.
    """
    return PreimageKey.from_digest(PreimageKeyType.SHA256, digest)


def sha256_key_for(preimage: bytes) -> PreimageKey:
    """SHA-256 key of ``preimage`` (hashes it first)."""
    return sha256_key(hashlib.sha256(bytes(preimage)).digest())


def blob_key_preimage(commitment: bytes, z: int | bytes) -> bytes:
    """The 80 bytes hashed into a blob key: ``commitment (48) ‖ z (uint256 big-endian)``.

    Hosts also serve these 80 bytes as a keccak-256 pre-image of the blob key's digest.
    """
    commitment = _fixed(commitment, BLOB_COMMITMENT_SIZE, "blob commitment")
    return commitment + _uint256(z, "blob evaluation point z")


def blob_key(commitment: bytes, z: int | bytes) -> PreimageKey:
    """EIP-4844 point-evaluation key: ``0x05 ‖ keccak256(commitment ‖ z)[1:]``.

    ``z`` is the evaluation point (for blob field element ``i``, the ``i``-th bit-reversed root of
    unity: see :func:`mauna.preimage.blob.field_element_key`). The pre-image is the 32-byte ``y``.
    """
    return PreimageKey.from_digest(PreimageKeyType.BLOB, keccak256(blob_key_preimage(commitment, z)))


def precompile_key_preimage(address: bytes, input_data: bytes, required_gas: int | None = None) -> bytes:
    """The bytes hashed into a precompile key.

    ``address ‖ input`` (spec, op-program ``l1-precompile``) or, with ``required_gas``,
    ``address ‖ uint64(required_gas) ‖ input`` (op-program ``l1-precompile-v2``, kona, and the
    onchain PreimageOracle, which commit to the gas so the precompile cannot be starved).
    """
    out = _fixed(address, ADDRESS_SIZE, "precompile address")
    if required_gas is not None:
        if isinstance(required_gas, bool) or not isinstance(required_gas, int):
            raise PreimageKeyError("precompile required gas: expected an integer")
        if not 0 <= required_gas <= MAX_UINT64:
            raise PreimageKeyError(f"precompile required gas {required_gas} does not fit in uint64")
        out += required_gas.to_bytes(8, "big")
    if not isinstance(input_data, bytes | bytearray | memoryview):
        raise PreimageKeyError(f"precompile input: expected bytes, got {type(input_data).__name__}")
    return out + bytes(input_data)


def precompile_key(address: bytes, input_data: bytes, required_gas: int | None = None) -> PreimageKey:
    """Precompile result key: ``0x06 ‖ keccak256(precompile_key_preimage(...))[1:]``.

    The pre-image is ``status ‖ output`` with ``status`` 1 on success and 0 on failure.
    """
    return PreimageKey.from_digest(
        PreimageKeyType.PRECOMPILE, keccak256(precompile_key_preimage(address, input_data, required_gas))
    )


def global_generic_key(x: bytes, sender: bytes) -> PreimageKey:
    """Reserved generic global key: ``0x03 ‖ keccak256(x ‖ sender)[1:]`` (both ``bytes32``).

    ``sender`` may be given as a 20-byte address; it is left-padded to 32 bytes.
    """
    x = _fixed(x, 32, "generic key x")
    if isinstance(sender, bytes | bytearray | memoryview) and len(sender) == ADDRESS_SIZE:
        sender = bytes(12) + bytes(sender)
    sender = _fixed(sender, 32, "generic key sender")
    return PreimageKey.from_digest(PreimageKeyType.GLOBAL_GENERIC, keccak256(x + sender))
