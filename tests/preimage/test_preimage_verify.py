"""Pre-image verification, including blobs checked with KZG against a real beacon blob sidecar."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import ckzg
import pytest
from _wire import Background, Pipes

from mauna.preimage import (
    MemoryOracle,
    OracleClient,
    OracleServer,
    PreimageKey,
    PreimageKeyType,
    PreimageMismatchError,
    blob_key,
    field_element_key,
    keccak256_key,
    keccak256_key_for,
    local_key,
    precompile_key,
    read_blob,
    roots_of_unity,
    sha256_key,
    sha256_key_for,
    verify_blob,
    verify_blob_field_element,
    verify_preimage,
)
from mauna.preimage import verify as V
from mauna.preimage.blob import blob_preimages, evaluation_point
from mauna.primitives import keccak256
from mauna.protocol.blobs import kzg_to_versioned_hash
from mauna.protocol.kzg import trusted_setup

FIXTURES = Path(__file__).parents[1] / "fixtures"
SIDECARS = FIXTURES / "kona" / "providers" / "eth_v1_beacon_sidecars_goerli.json"


@pytest.fixture(scope="module")
def sidecar() -> tuple[bytes, bytes]:
    """(commitment, blob) of the first sidecar of kona's Goerli beacon fixture."""
    data = json.loads(SIDECARS.read_text())["data"][0]
    return bytes.fromhex(data["kzg_commitment"][2:]), bytes.fromhex(data["blob"][2:])


def test_keccak_and_sha256() -> None:
    verify_preimage(keccak256_key_for(b"hello"), b"hello")
    verify_preimage(sha256_key_for(b"hello"), b"hello")
    key = keccak256_key_for(b"hello")
    with pytest.raises(PreimageMismatchError, match="keccak256 of the 5-byte data") as info:
        verify_preimage(key, b"jello")
    assert info.value.key == key
    with pytest.raises(PreimageMismatchError):
        verify_preimage(key, b"")
    with pytest.raises(PreimageMismatchError, match="sha256"):
        verify_preimage(sha256_key_for(b"hello"), b"hellO")


def test_only_the_low_31_bytes_count() -> None:
    digest = keccak256(b"abc")
    verify_preimage(PreimageKey(PreimageKeyType.KECCAK256, digest[1:]), b"abc")
    assert keccak256_key(b"\x00" + digest[1:]) == keccak256_key(digest)


def test_local_and_generic_pass_through() -> None:
    verify_preimage(local_key(1), b"anything")
    verify_preimage(PreimageKey(PreimageKeyType.GLOBAL_GENERIC, b"\x01" * 31), b"anything")


def test_blob_field_element_shape() -> None:
    key = blob_key(b"\x00" * 48, 1)
    verify_preimage(key, (V.BLS_MODULUS - 1).to_bytes(32, "big"))
    with pytest.raises(PreimageMismatchError, match="must be 32 bytes, got 31"):
        verify_preimage(key, b"\x00" * 31)
    with pytest.raises(PreimageMismatchError, match="not below the BLS modulus"):
        verify_preimage(key, V.BLS_MODULUS.to_bytes(32, "big"))


def test_precompile_result_shape() -> None:
    key = precompile_key(bytes(19) + b"\x01", b"in")
    verify_preimage(key, b"\x01" + b"\x00" * 32)
    verify_preimage(key, b"\x00")
    with pytest.raises(PreimageMismatchError, match="empty"):
        verify_preimage(key, b"")
    with pytest.raises(PreimageMismatchError, match="status byte is 2"):
        verify_preimage(key, b"\x02")


def test_roots_of_unity() -> None:
    roots = roots_of_unity()
    assert len(roots) == 4096 and len(set(roots)) == 4096
    assert roots[0] == 1
    assert roots[1] == V.BLS_MODULUS - 1  # bit-reversed order: index 1 is ω^2048 = -1
    assert all(pow(r, 4096, V.BLS_MODULUS) == 1 for r in roots[:64])
    assert evaluation_point(0) == (1).to_bytes(32, "big")


def test_field_elements_are_evaluations_at_the_roots(sidecar: tuple[bytes, bytes]) -> None:
    commitment, blob = sidecar
    settings = trusted_setup()
    for i in (0, 1, 4095):
        z = evaluation_point(i)
        proof, y = ckzg.compute_kzg_proof(blob, z, settings)
        assert bytes(y) == blob[32 * i : 32 * i + 32]
        key = verify_blob_field_element(commitment, z, bytes(y), bytes(proof))
        assert key == field_element_key(commitment, i)
        assert key.encode() == b"\x05" + keccak256(commitment + z)[1:]


def test_bad_kzg_proof_is_a_mismatch(sidecar: tuple[bytes, bytes]) -> None:
    commitment, blob = sidecar
    z = evaluation_point(3)
    proof, _ = ckzg.compute_kzg_proof(blob, z, trusted_setup())
    wrong_y = (int.from_bytes(blob[96:128], "big") + 1).to_bytes(32, "big")
    with pytest.raises(PreimageMismatchError, match="KZG point-evaluation proof") as info:
        verify_blob_field_element(commitment, z, wrong_y, bytes(proof))
    assert info.value.key == field_element_key(commitment, 3)
    with pytest.raises(PreimageMismatchError):
        verify_blob_field_element(commitment, z, blob[96:128], b"\x00" * 47)


def test_verify_whole_blob(sidecar: tuple[bytes, bytes]) -> None:
    commitment, blob = sidecar
    verify_blob(commitment, blob)
    tampered = blob[:100] + bytes([blob[100] ^ 1]) + blob[101:]
    with pytest.raises(PreimageMismatchError, match="blob commits to") as info:
        verify_blob(commitment, tampered)
    versioned_hash = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    assert info.value.key == sha256_key(versioned_hash)
    with pytest.raises(PreimageMismatchError, match="not a valid polynomial"):
        verify_blob(commitment, b"\xff" * len(blob))
    with pytest.raises(PreimageMismatchError, match="must be 131072 bytes"):
        verify_blob(commitment, blob[:-1])
    assert kzg_to_versioned_hash(commitment) == versioned_hash


def test_read_blob_from_memory(sidecar: tuple[bytes, bytes]) -> None:
    commitment, blob = sidecar
    preimages = blob_preimages(commitment, blob)
    assert len(preimages) == 1 + 2 * 4096
    versioned_hash = kzg_to_versioned_hash(commitment)
    assert read_blob(MemoryOracle(preimages), versioned_hash) == blob
    # The 80-byte commitment ‖ z pre-image sits under the keccak key of the blob key's digest.
    z = evaluation_point(5)
    assert preimages[keccak256_key_for(commitment + z)] == commitment + z
    for k, v in preimages.items():
        verify_preimage(k, v)


def test_read_blob_detects_a_swapped_element(sidecar: tuple[bytes, bytes]) -> None:
    commitment, blob = sidecar
    preimages = blob_preimages(commitment, blob)
    a, b = field_element_key(commitment, 10), field_element_key(commitment, 11)
    preimages[a], preimages[b] = preimages[b], preimages[a]
    if preimages[a] == preimages[b]:
        pytest.skip("elements happen to be equal")
    with pytest.raises(PreimageMismatchError, match="blob commits to"):
        read_blob(MemoryOracle(preimages), kzg_to_versioned_hash(commitment))
    # Without verification the swapped blob is returned as served.
    got = read_blob(MemoryOracle(preimages), kzg_to_versioned_hash(commitment), verify=False)
    assert got != blob


def test_read_blob_over_pipes(pipes: Pipes, sidecar: tuple[bytes, bytes]) -> None:
    commitment, blob = sidecar
    store = MemoryOracle(blob_preimages(commitment, blob))
    server = OracleServer(pipes.host.reader, pipes.host.writer, store)
    host = Background(server.serve_forever)
    client = OracleClient(pipes.client.reader, pipes.client.writer)
    assert read_blob(client, kzg_to_versioned_hash(commitment)) == blob
    pipes.close(pipes.client.writer)
    assert host.join() == 4097


def test_wrong_commitment_served_for_versioned_hash(sidecar: tuple[bytes, bytes]) -> None:
    commitment, _ = sidecar
    versioned_hash = kzg_to_versioned_hash(commitment)
    oracle = MemoryOracle({sha256_key(versioned_hash): b"\xc0" + b"\x00" * 47})
    with pytest.raises(PreimageMismatchError) as info:
        read_blob(oracle, versioned_hash)
    assert info.value.key == sha256_key(versioned_hash)
