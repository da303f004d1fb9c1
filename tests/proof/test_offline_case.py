"""The complete offline case: a real L2 chain derived from L1 and executed through the oracle."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from mauna.preimage.keys import keccak256_key
from mauna.primitives.header import Header
from mauna.proof.host.kv import DiskKeyValueStore, LocalKeyValueStore, MemoryKeyValueStore, SplitKeyValueStore
from mauna.proof.host.server import run_native
from mauna.proof.scenario import ProofCase, build_case, load_case
from mauna.protocol.output_root import OutputRootV0

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "proof"
CASE_DIR = FIXTURES / "case"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def case() -> ProofCase:
    return load_case(CASE_DIR)


def _kv(
    case: ProofCase, claim: bytes, number: int, remote: MemoryKeyValueStore | DiskKeyValueStore
) -> SplitKeyValueStore:
    config = json.dumps(case.rollup_config.to_op_node_json(include_extensions=True)).encode()
    local = LocalKeyValueStore.from_boot_info(
        l1_head=case.l1_head,
        agreed_l2_output_root=case.agreed_output_root,
        claimed_l2_output_root=claim,
        claimed_l2_block_number=number,
        l2_chain_id=case.rollup_config.l2_chain_id,
        rollup_config=config,
    )
    return SplitKeyValueStore(local, remote)


def _run(
    case: ProofCase, claim: bytes, number: int, tmp_path: Path, preimages: dict[bytes, bytes] | None = None
) -> tuple[int, str]:
    remote = MemoryKeyValueStore()
    for key, value in (preimages if preimages is not None else case.preimages).items():
        remote.set(key, value)
    log = tmp_path / "client.log"
    with log.open("wb") as stderr:
        result = run_native(_kv(case, claim, number, remote), stderr=stderr, timeout=120)
    return result.exit_code, log.read_text()


def test_stored_case_is_reproducible(case: ProofCase) -> None:
    fresh = build_case(FIXTURES / "predeploys")
    assert fresh.output_roots == case.output_roots
    assert fresh.block_hashes == case.block_hashes
    assert fresh.l1_head == case.l1_head
    assert fresh.preimages == case.preimages
    assert fresh.rollup_config.to_op_node_json(include_extensions=True) == json.loads(
        (CASE_DIR / "rollup.json").read_text()
    )
    # The chain did real work: the withdrawal in block 3 changed the message passer's storage.
    assert len(set(case.output_roots)) == 7
    assert fresh.execution_seconds > 0


def test_case_crosses_the_isthmus_and_jovian_activations(case: ProofCase) -> None:
    headers = [
        Header.decode(case.preimages[keccak256_key(block_hash).encode()]) for block_hash in case.block_hashes
    ]
    assert [h.requests_hash is not None for h in headers] == [False] * 3 + [True] * 4
    assert [h.extra_data[0] for h in headers[1:]] == [0, 0, 0, 0, 1, 1]
    # Block 6 records the minimum base fee set on L1 (its origin's SystemConfig update).
    assert int.from_bytes(headers[6].extra_data[9:], "big") == 5_000_000
    # From Isthmus the header commits to the message passer's storage root, the output root's.
    for number in range(3, 7):
        output = OutputRootV0(
            headers[number].state_root, headers[number].withdrawals_root, case.block_hashes[number]
        )
        assert output.hash() == case.output_roots[number]


def test_true_claim_exits_0(case: ProofCase, tmp_path: Path) -> None:
    code, log = _run(case, case.claimed_output_root, case.claimed_block, tmp_path)
    assert code == 0, log
    assert "output root of block #6 matches" in log
    assert "blocks=4" in log


def test_flipped_claim_exits_1(case: ProofCase, tmp_path: Path) -> None:
    claim = bytearray(case.claimed_output_root)
    claim[7] ^= 0x01
    code, log = _run(case, bytes(claim), case.claimed_block, tmp_path)
    assert code == 1, log
    assert "differs from the claim" in log


def test_intermediate_block_claim(case: ProofCase, tmp_path: Path) -> None:
    code, log = _run(case, case.output_roots[4], 4, tmp_path)
    assert code == 0, log
    code, _ = _run(case, case.output_roots[5], 4, tmp_path)
    assert code == 1


def test_claim_past_safe_head_is_the_last_derivable_output(case: ProofCase, tmp_path: Path) -> None:
    # L1 up to the head derives L2 blocks up to #6 only: a claim about #8 must be #6's output.
    code, log = _run(case, case.output_roots[6], 8, tmp_path)
    assert code == 0, log
    assert "L1 data exhausted" in log
    code, _ = _run(case, case.output_roots[5], 8, tmp_path)
    assert code == 1


def test_trace_extension_at_agreed_block(case: ProofCase, tmp_path: Path) -> None:
    code, log = _run(case, case.agreed_output_root, case.agreed_block, tmp_path)
    assert code == 0, log
    assert "trace extension" in log
    # At the agreed block any other root is wrong; below it every claim is invalid.
    code, _ = _run(case, case.output_roots[3], case.agreed_block, tmp_path)
    assert code == 1
    code, log = _run(case, case.output_roots[1], 1, tmp_path)
    assert code == 1
    assert "below the agreed head" in log


def test_wrong_preimage_stops_with_named_error(case: ProofCase, tmp_path: Path) -> None:
    # Serve a corrupted agreed L2 header: the client must refuse it, naming the key.
    key = keccak256_key(case.agreed_head_hash).encode()
    bad = dict(case.preimages)
    bad[key] = bad[key][:-1] + bytes([bad[key][-1] ^ 0xFF])
    code, log = _run(case, case.claimed_output_root, case.claimed_block, tmp_path, bad)
    assert code == 2
    assert "PreimageMismatchError" in log
    assert "0x" + key.hex() in log


def test_missing_preimage_fails_not_verdict(case: ProofCase, tmp_path: Path) -> None:
    key = keccak256_key(case.l1_head).encode()
    partial = {k: v for k, v in case.preimages.items() if k != key}
    code, log = _run(case, case.claimed_output_root, case.claimed_block, tmp_path, partial)
    assert code == 2
    assert "PreimageIOError" in log


def test_cli_host_native_offline(case: ProofCase, tmp_path: Path) -> None:
    boot = case.boot_args()
    command = [
        sys.executable,
        "-m",
        "mauna.cli.proof",
        "host",
        "--native",
        "--data-dir",
        str(CASE_DIR / "preimages"),
        "--rollup-config-path",
        str(CASE_DIR / "rollup.json"),
        "--l1-head",
        boot["l1_head"],
        "--agreed-l2-output-root",
        boot["agreed_l2_output_root"],
        "--claimed-l2-output-root",
        boot["claimed_l2_output_root"],
        "--claimed-l2-block-number",
        str(boot["claimed_l2_block_number"]),
    ]
    env = {**os.environ, "ETH_HASH_BACKEND": "pysha3"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr.decode()
    assert after.ru_maxrss < 512 * 1024  # KiB: one proof of this case stays far below 512 MiB
    wrong = [*command[:-3], "0x" + "00" * 32, *command[-2:]]
    done = subprocess.run(wrong, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert done.returncode == 1, done.stderr.decode()
    del before
