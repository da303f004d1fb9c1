"""KZG commitments and proofs for EIP-4844 blobs (a thin wrapper over ``ckzg``).

Spec: protocol/ecotone/derivation.md, "Ecotone: Blob Retrieval" (a blob SHOULD, and from an untrusted
source MUST, be verified against its versioned hash); the point-evaluation check is EIP-4844's
``verify_kzg_proof`` as used by the point-evaluation precompile.

``ckzg`` ships no trusted setup; the Ethereum mainnet setup bundled with py-evm
(``eth/_utils/kzg_trusted_setup.txt``) is loaded once per process on first use (about 1.5 s).
Malformed input (wrong lengths, invalid curve points, field elements not below the BLS modulus)
raises :class:`BlobError`; a well-formed proof that does not verify gives ``False``.
"""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any

import ckzg

from mauna.errors import BlobError
from mauna.protocol.blobs import BLOB_SIZE, BYTES_PER_COMMITMENT

BYTES_PER_PROOF = 48
BYTES_PER_FIELD_ELEMENT = 32

# Precomputation level for ckzg's fixed-base multiplications; only cell functions benefit.
_PRECOMPUTE = 0


def trusted_setup_path() -> str:
    """Filesystem path of py-evm's bundled mainnet KZG trusted setup."""
    resource = importlib.resources.files("eth").joinpath("_utils", "kzg_trusted_setup.txt")
    if not resource.is_file():
        raise BlobError(f"KZG trusted setup not found at {resource}")
    return str(resource)


@functools.cache
def trusted_setup() -> Any:
    """The loaded trusted setup (loaded once per process)."""
    try:
        return ckzg.load_trusted_setup(trusted_setup_path(), _PRECOMPUTE)
    except (RuntimeError, ValueError, OSError) as exc:
        raise BlobError(f"cannot load the KZG trusted setup: {exc}") from exc


def _check_len(value: bytes, expected: int, what: str) -> bytes:
    if len(value) != expected:
        raise BlobError(f"{what} is {len(value)} bytes, expected {expected}")
    return bytes(value)


def blob_to_commitment(blob: bytes) -> bytes:
    """The KZG commitment (48 bytes) of ``blob``."""
    blob = _check_len(blob, BLOB_SIZE, "blob")
    try:
        return bytes(ckzg.blob_to_kzg_commitment(blob, trusted_setup()))
    except (RuntimeError, ValueError) as exc:
        raise BlobError(f"cannot commit to blob: {exc} (a field element is not canonical)") from exc


def compute_blob_proof(blob: bytes, commitment: bytes) -> bytes:
    """The KZG blob proof (48 bytes) for ``blob`` and its ``commitment``."""
    blob = _check_len(blob, BLOB_SIZE, "blob")
    commitment = _check_len(commitment, BYTES_PER_COMMITMENT, "KZG commitment")
    try:
        return bytes(ckzg.compute_blob_kzg_proof(blob, commitment, trusted_setup()))
    except (RuntimeError, ValueError) as exc:
        raise BlobError(f"cannot compute blob proof: {exc} (malformed blob or commitment)") from exc


def verify_blob_proof(blob: bytes, commitment: bytes, proof: bytes) -> bool:
    """Whether ``proof`` shows that ``commitment`` commits to ``blob``."""
    blob = _check_len(blob, BLOB_SIZE, "blob")
    commitment = _check_len(commitment, BYTES_PER_COMMITMENT, "KZG commitment")
    proof = _check_len(proof, BYTES_PER_PROOF, "KZG proof")
    try:
        return bool(ckzg.verify_blob_kzg_proof(blob, commitment, proof, trusted_setup()))
    except (RuntimeError, ValueError) as exc:
        raise BlobError(f"cannot verify blob proof: {exc} (malformed blob, commitment or proof)") from exc


def compute_kzg_proof(blob: bytes, z: bytes) -> tuple[bytes, bytes]:
    """Evaluate ``blob``'s polynomial at ``z``: return ``(proof, y)``."""
    blob = _check_len(blob, BLOB_SIZE, "blob")
    z = _check_len(z, BYTES_PER_FIELD_ELEMENT, "evaluation point z")
    try:
        proof, y = ckzg.compute_kzg_proof(blob, z, trusted_setup())
    except (RuntimeError, ValueError) as exc:
        raise BlobError(f"cannot compute KZG proof: {exc} (malformed blob or z)") from exc
    return bytes(proof), bytes(y)


def verify_kzg_proof(commitment: bytes, z: bytes, y: bytes, proof: bytes) -> bool:
    """Point evaluation: whether ``proof`` shows that the committed polynomial has ``p(z) = y``."""
    commitment = _check_len(commitment, BYTES_PER_COMMITMENT, "KZG commitment")
    z = _check_len(z, BYTES_PER_FIELD_ELEMENT, "evaluation point z")
    y = _check_len(y, BYTES_PER_FIELD_ELEMENT, "evaluation y")
    proof = _check_len(proof, BYTES_PER_PROOF, "KZG proof")
    try:
        return bool(ckzg.verify_kzg_proof(commitment, z, y, proof, trusted_setup()))
    except (RuntimeError, ValueError) as exc:
        raise BlobError(
            f"cannot verify KZG proof: {exc} (malformed commitment, proof, or z/y not below the modulus)"
        ) from exc
