"""EIP-4844 blobs through the pre-image oracle.

A host that handles an ``l1-blob`` hint serves, for a blob with versioned hash ``h``:

- the 48-byte KZG commitment under ``sha256_key(h)`` (the versioned hash is ``0x01 ‖
  sha256(commitment)[1:]``, so the key matches the commitment's SHA-256);
- field element ``i`` (32 bytes) under ``blob_key(commitment, ω_i)`` where ``ω_i`` is the ``i``-th
  4096th root of unity in bit-reversed order (the blob polynomial evaluated there is element ``i``);
- the 80-byte ``commitment ‖ ω_i`` under the keccak-256 key of the same digest.

kona and op-program build the keys this way; :func:`read_blob` reassembles and checks the blob.
"""

from __future__ import annotations

from functools import cache

from mauna.preimage.errors import PreimageKeyError
from mauna.preimage.keys import PreimageKey, blob_key, blob_key_preimage, keccak256_key_for, sha256_key
from mauna.preimage.oracle import PreimageOracle
from mauna.preimage.verify import (
    BLOB_SIZE,
    BLS_MODULUS,
    FIELD_ELEMENT_SIZE,
    FIELD_ELEMENTS_PER_BLOB,
    check_field_element,
    commitment_key,
    verify_blob,
    verify_preimage,
)

PRIMITIVE_ROOT_OF_UNITY = 7
"""Generator of the BLS12-381 scalar field's multiplicative group (consensus-specs, Deneb)."""


def _reverse_bits(value: int, width: int) -> int:
    return int(format(value, f"0{width}b")[::-1], 2)


@cache
def roots_of_unity() -> tuple[int, ...]:
    """The 4096 roots of unity of the blob domain, in bit-reversed order (EIP-4844 / Deneb)."""
    n = FIELD_ELEMENTS_PER_BLOB
    omega = pow(PRIMITIVE_ROOT_OF_UNITY, (BLS_MODULUS - 1) // n, BLS_MODULUS)
    natural = [1] * n
    for i in range(1, n):
        natural[i] = natural[i - 1] * omega % BLS_MODULUS
    width = n.bit_length() - 1
    return tuple(natural[_reverse_bits(i, width)] for i in range(n))


def evaluation_point(index: int) -> bytes:
    """``z`` of blob field element ``index``: its root of unity as 32 big-endian bytes."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < FIELD_ELEMENTS_PER_BLOB:
        raise PreimageKeyError(
            f"blob field element index must be in [0, {FIELD_ELEMENTS_PER_BLOB}), got {index!r}"
        )
    return roots_of_unity()[index].to_bytes(32, "big")


def field_element_key(commitment: bytes, index: int) -> PreimageKey:
    """The blob key of field element ``index`` of the blob committed to by ``commitment``."""
    return blob_key(commitment, evaluation_point(index))


def read_blob(oracle: PreimageOracle, blob_hash: bytes, *, verify: bool = True) -> bytes:
    """Fetch the commitment and the 4096 field elements of blob ``blob_hash`` and reassemble it.

    The caller sends the ``l1-blob`` hint first. With ``verify`` the commitment is checked against
    the versioned hash, each element against the field, and the whole blob against the commitment
    (raising :class:`~mauna.preimage.errors.PreimageMismatchError`).
    """
    commitment_sha_key = sha256_key(blob_hash)
    commitment = oracle.get(commitment_sha_key)
    if verify:
        verify_preimage(commitment_sha_key, commitment)
    parts: list[bytes] = []
    for i in range(FIELD_ELEMENTS_PER_BLOB):
        key = field_element_key(commitment, i)
        element = oracle.get(key)
        if verify:
            check_field_element(key, element)
        parts.append(element)
    blob = b"".join(parts)
    if verify:
        verify_blob(commitment, blob)
    return blob


def blob_preimages(commitment: bytes, blob: bytes) -> dict[PreimageKey, bytes]:
    """Every pre-image a host serves for one blob (the commitment's, each element's, each key's).

    The versioned-hash key of the commitment is included; the field-element keys are the blob keys
    and their 80-byte ``commitment ‖ z`` pre-images under keccak-256 keys.
    """
    if len(blob) != BLOB_SIZE:
        raise PreimageKeyError(f"blob must be {BLOB_SIZE} bytes, got {len(blob)}")
    out: dict[PreimageKey, bytes] = {commitment_key(commitment): bytes(commitment)}
    for i in range(FIELD_ELEMENTS_PER_BLOB):
        z = evaluation_point(i)
        pre = blob_key_preimage(commitment, z)
        out[keccak256_key_for(pre)] = pre
        out[blob_key(commitment, z)] = bytes(blob[i * FIELD_ELEMENT_SIZE : (i + 1) * FIELD_ELEMENT_SIZE])
    return out
