"""Checking pre-images against their keys.

What each key type allows:

- ``KECCAK256`` / ``SHA256``: the digest of the data must end in the key's 31 bytes. Full check.
- ``BLOB``: the key is a hash of ``commitment ‖ z``, so the key alone cannot authenticate ``y``.
  :func:`verify_preimage` checks the shape (32 bytes, a canonical BLS12-381 scalar). A caller that
  knows ``commitment`` and ``z`` checks the key binding, and with a KZG proof the evaluation itself
  (:func:`verify_blob_field_element`). The oracle serves no proofs, so the blob reader instead
  checks the whole reassembled blob against its commitment (:func:`verify_blob`); the commitment
  itself is a SHA-256 pre-image of the blob's versioned hash and is fully checked.
- ``PRECOMPILE``: the key is a hash of the call, so the result cannot be recomputed from the key.
  :func:`verify_preimage` checks the shape (``status ‖ output`` with ``status`` 0 or 1). Checking
  the output means re-running the precompile, which defeats the acceleration; like kona and
  op-program, the result is trusted here, and onchain the PreimageOracle contract re-executes it.
- ``LOCAL``: bootstrap inputs, context-specific, nothing to check.
- ``GLOBAL_GENERIC``: reserved without defined semantics; passed through (as kona does).

A failed check raises :class:`~mauna.preimage.errors.PreimageMismatchError` naming the key.
"""

from __future__ import annotations

import hashlib

from mauna.errors import MaunaError
from mauna.preimage.errors import PreimageMismatchError
from mauna.preimage.keys import (
    BLOB_COMMITMENT_SIZE,
    PreimageKey,
    PreimageKeyType,
    blob_key,
    sha256_key,
)
from mauna.primitives import keccak256
from mauna.protocol import kzg

BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
"""Order of the BLS12-381 scalar field: a blob field element is a canonical integer below it."""
FIELD_ELEMENT_SIZE = 32
FIELD_ELEMENTS_PER_BLOB = 4096
BLOB_SIZE = FIELD_ELEMENT_SIZE * FIELD_ELEMENTS_PER_BLOB
KZG_PROOF_SIZE = 48

PRECOMPILE_SUCCESS = 1
PRECOMPILE_FAILURE = 0


def verify_preimage(key: PreimageKey, data: bytes) -> None:
    """Raise :class:`PreimageMismatchError` unless ``data`` can be the pre-image of ``key``."""
    kt = key.key_type
    if kt is PreimageKeyType.KECCAK256:
        digest = keccak256(data)
        if digest[1:] != key.data:
            raise PreimageMismatchError(key, f"keccak256 of the {len(data)}-byte data is 0x{digest.hex()}")
    elif kt is PreimageKeyType.SHA256:
        digest = hashlib.sha256(data).digest()
        if digest[1:] != key.data:
            raise PreimageMismatchError(key, f"sha256 of the {len(data)}-byte data is 0x{digest.hex()}")
    elif kt is PreimageKeyType.BLOB:
        check_field_element(key, data)
    elif kt is PreimageKeyType.PRECOMPILE:
        check_precompile_result(key, data)


def check_field_element(key: PreimageKey, data: bytes) -> None:
    """A blob pre-image is one 32-byte canonical BLS12-381 scalar."""
    if len(data) != FIELD_ELEMENT_SIZE:
        raise PreimageMismatchError(key, f"blob field element must be 32 bytes, got {len(data)}")
    if int.from_bytes(data, "big") >= BLS_MODULUS:
        raise PreimageMismatchError(key, f"blob field element 0x{data.hex()} is not below the BLS modulus")


def check_precompile_result(key: PreimageKey, data: bytes) -> None:
    """A precompile pre-image is ``status ‖ output`` with ``status`` 1 (success) or 0 (failure)."""
    if not data:
        raise PreimageMismatchError(key, "precompile result is empty (missing status byte)")
    if data[0] not in (PRECOMPILE_SUCCESS, PRECOMPILE_FAILURE):
        raise PreimageMismatchError(key, f"precompile result status byte is {data[0]}, expected 0 or 1")


# --- KZG --------------------------------------------------------------------------------------
def commitment_key(commitment: bytes) -> PreimageKey:
    """The SHA-256 key a blob commitment is served under (the blob's versioned hash, retyped)."""
    return sha256_key(hashlib.sha256(commitment).digest())


def verify_kzg_point(commitment: bytes, z: bytes, y: bytes, proof: bytes) -> bool:
    """KZG point-evaluation check ``p(z) = y`` for the polynomial committed to by ``commitment``.

    Malformed inputs (wrong sizes, a point that is not on the curve, ``z``/``y`` not below the
    modulus) give ``False``: for a pre-image they mean the same as a failed check.
    """
    try:
        return kzg.verify_kzg_proof(commitment, z, y, proof)
    except MaunaError:
        return False


def blob_to_commitment(blob: bytes) -> bytes | None:
    """KZG commitment of a 131072-byte blob, or ``None`` if the blob is not valid."""
    try:
        return kzg.blob_to_commitment(blob)
    except MaunaError:
        return None


def verify_blob_field_element(
    commitment: bytes, z: int | bytes, y: bytes, proof: bytes | None = None
) -> PreimageKey:
    """Check a blob pre-image ``y`` served for evaluation point ``z`` of ``commitment``.

    Checks ``y`` is a field element and, when a KZG ``proof`` is given, that ``p(z) = y``.
    Returns the blob key the value belongs to (so a caller can compare it with the key it asked
    for). Raises :class:`PreimageMismatchError` naming that key.
    """
    key = blob_key(commitment, z)
    check_field_element(key, y)
    if proof is not None:
        z_bytes = z.to_bytes(32, "big") if isinstance(z, int) else bytes(z)
        if len(proof) != KZG_PROOF_SIZE or not verify_kzg_point(commitment, z_bytes, y, proof):
            raise PreimageMismatchError(key, "KZG point-evaluation proof does not verify")
    return key


def verify_blob(commitment: bytes, blob: bytes) -> None:
    """Check a reassembled blob against the commitment it was fetched for.

    Raises :class:`PreimageMismatchError` naming the commitment's SHA-256 key.
    """
    key = commitment_key(commitment)
    if len(commitment) != BLOB_COMMITMENT_SIZE:
        raise PreimageMismatchError(key, f"blob commitment must be 48 bytes, got {len(commitment)}")
    if len(blob) != BLOB_SIZE:
        raise PreimageMismatchError(key, f"blob must be {BLOB_SIZE} bytes, got {len(blob)}")
    computed = blob_to_commitment(blob)
    if computed is None:
        raise PreimageMismatchError(key, "blob is not a valid polynomial (a field element is out of range)")
    if computed != bytes(commitment):
        raise PreimageMismatchError(
            key, f"blob commits to 0x{computed.hex()}, not 0x{bytes(commitment).hex()}"
        )
