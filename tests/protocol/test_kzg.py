"""KZG commitments and proofs over real Goerli blob sidecars (EIP-4844; ecotone "Blob Retrieval")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mauna.errors import BlobError
from mauna.protocol import kzg
from mauna.protocol.blobs import BLOB_SIZE, encode_blob, kzg_to_versioned_hash

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
BLS_MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513

Sidecar = tuple[bytes, bytes, bytes]  # blob, commitment, proof


@pytest.fixture(scope="session")
def setup() -> object:
    return kzg.trusted_setup()


@pytest.fixture(scope="module")
def sidecars(setup: object) -> list[Sidecar]:
    doc = json.loads((KONA / "providers" / "eth_v1_beacon_sidecars_goerli.json").read_text())
    return [
        (
            bytes.fromhex(s["blob"][2:]),
            bytes.fromhex(s["kzg_commitment"][2:]),
            bytes.fromhex(s["kzg_proof"][2:]),
        )
        for s in doc["data"]
    ]


def test_trusted_setup_loaded_once(setup: object) -> None:
    assert kzg.trusted_setup() is setup
    assert kzg.trusted_setup_path().endswith("kzg_trusted_setup.txt")


def test_real_sidecar_proofs_verify(sidecars: list[Sidecar]) -> None:
    assert len(sidecars) == 5
    for blob, commitment, proof in sidecars:
        assert kzg.verify_blob_proof(blob, commitment, proof) is True


def test_mutated_sidecar_rejected(sidecars: list[Sidecar]) -> None:
    blob, commitment, proof = sidecars[0]
    mutated = bytearray(blob)
    mutated[1000 * 32 + 31] ^= 0x01  # low byte of a field element: still canonical
    assert kzg.verify_blob_proof(bytes(mutated), commitment, proof) is False
    # another sidecar's (valid) proof and commitment
    assert kzg.verify_blob_proof(blob, commitment, sidecars[1][2]) is False
    assert kzg.verify_blob_proof(blob, sidecars[1][1], proof) is False


def test_commitment_and_proof_of_real_blob(sidecars: list[Sidecar]) -> None:
    blob, commitment, proof = sidecars[2]
    assert kzg.blob_to_commitment(blob) == commitment
    assert kzg.compute_blob_proof(blob, commitment) == proof
    assert kzg_to_versioned_hash(commitment).hex().startswith("016122c8")


def test_op_encoded_blob_commits_and_verifies(setup: object) -> None:
    blob = encode_blob(b"op stack rollup data" * 100)
    commitment = kzg.blob_to_commitment(blob)
    proof = kzg.compute_blob_proof(blob, commitment)
    assert kzg.verify_blob_proof(blob, commitment, proof) is True


def test_point_evaluation(sidecars: list[Sidecar]) -> None:
    blob, commitment, _ = sidecars[0]
    z = (123456789).to_bytes(32, "big")
    proof, y = kzg.compute_kzg_proof(blob, z)
    assert len(proof) == 48 and len(y) == 32
    assert kzg.verify_kzg_proof(commitment, z, y, proof) is True
    wrong_y = ((int.from_bytes(y, "big") + 1) % BLS_MODULUS).to_bytes(32, "big")
    assert kzg.verify_kzg_proof(commitment, z, wrong_y, proof) is False
    assert kzg.verify_kzg_proof(sidecars[1][1], z, y, proof) is False
    # At z = omega^0 = 1 the polynomial takes the blob's first field element as its value.
    one = (1).to_bytes(32, "big")
    proof1, y1 = kzg.compute_kzg_proof(blob, one)
    assert y1 == blob[:32]
    assert kzg.verify_kzg_proof(commitment, one, y1, proof1) is True


def test_malformed_inputs_raise(sidecars: list[Sidecar]) -> None:
    blob, commitment, proof = sidecars[0]
    with pytest.raises(BlobError, match="blob is 131071 bytes"):
        kzg.verify_blob_proof(blob[:-1], commitment, proof)
    with pytest.raises(BlobError, match="KZG commitment is 47 bytes"):
        kzg.verify_blob_proof(blob, commitment[:-1], proof)
    with pytest.raises(BlobError, match="KZG proof is 49 bytes"):
        kzg.verify_blob_proof(blob, commitment, proof + b"\x00")
    with pytest.raises(BlobError, match="cannot verify blob proof"):
        kzg.verify_blob_proof(blob, b"\xff" * 48, proof)  # not a curve point
    with pytest.raises(BlobError, match="cannot verify blob proof"):
        kzg.verify_blob_proof(blob, commitment, bytes(48))  # not a valid compressed point
    non_canonical = b"\xff" * 32 + blob[32:]
    assert len(non_canonical) == BLOB_SIZE
    with pytest.raises(BlobError, match="cannot commit to blob"):
        kzg.blob_to_commitment(non_canonical)
    with pytest.raises(BlobError, match="cannot verify blob proof"):
        kzg.verify_blob_proof(non_canonical, commitment, proof)
    with pytest.raises(BlobError, match="cannot compute blob proof"):
        kzg.compute_blob_proof(blob, b"\xff" * 48)
    with pytest.raises(BlobError, match="blob is 10 bytes"):
        kzg.blob_to_commitment(bytes(10))
    z = BLS_MODULUS.to_bytes(32, "big")  # not below the modulus
    with pytest.raises(BlobError, match="cannot verify KZG proof"):
        kzg.verify_kzg_proof(commitment, z, bytes(32), proof)
    with pytest.raises(BlobError, match="cannot compute KZG proof"):
        kzg.compute_kzg_proof(blob, z)
    with pytest.raises(BlobError, match="evaluation point z is 31 bytes"):
        kzg.verify_kzg_proof(commitment, bytes(31), bytes(32), proof)
    with pytest.raises(BlobError, match="evaluation y is 33 bytes"):
        kzg.verify_kzg_proof(commitment, bytes(32), bytes(33), proof)
