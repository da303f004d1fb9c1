"""Precompiles answered by the host: same block as local execution, gas charged by the client.

The client side is :class:`mauna.proof.precompiles.OraclePrecompiles` in the stateless builder;
the host side is :class:`mauna.proof.host.fetcher.OnlineFetcher` handling ``l1-precompile-v2``
hints (it needs no RPC for them) into a memory store the oracle reads from.
"""

from __future__ import annotations

import hashlib

import pytest
from coincurve import PrivateKey
from eth.exceptions import OutOfGas, VMError
from eth.vm.forks.prague.computation import PRAGUE_PRECOMPILES

from mauna.derive.testing import L2_CHAIN_ID, Scenario, address_of, dynamic_fee_tx
from mauna.errors import MissingPreimageError
from mauna.executor.attributes import OpPayloadAttributes
from mauna.executor.builder import BlockBuildResult, StatelessL2Builder
from mauna.executor.precompiles import AcceleratedPrecompile, DetachedComputation, point_evaluation
from mauna.preimage.hints import HintType
from mauna.preimage.keys import PreimageKey, precompile_key
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.proof.host.fetcher import OnlineFetcher
from mauna.proof.host.kv import MemoryKeyValueStore
from mauna.proof.precompiles import OraclePrecompiles
from mauna.proof.scenario import DictTrieState, genesis_state, l2_genesis_header
from mauna.protocol.kzg import blob_to_commitment, compute_kzg_proof

USER = PrivateKey(keccak256(b"precompile user"))
SIGNER = PrivateKey(keccak256(b"precompile signer"))


def _ecrecover_input() -> tuple[bytes, bytes]:
    digest = keccak256(b"mauna")
    sig = SIGNER.sign_recoverable(digest, hasher=None)
    data = digest + (27 + sig[64]).to_bytes(32, "big") + sig[:32] + sig[32:64]
    return data, b"\x00" * 12 + address_of(SIGNER)


def _point_evaluation_input() -> bytes:
    blob = b"".join((i * 7919).to_bytes(32, "big") for i in range(4096))
    commitment = blob_to_commitment(blob)
    z = (12345).to_bytes(32, "big")
    proof, y = compute_kzg_proof(blob, z)
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    return versioned + z + y + commitment + proof


ECRECOVER_INPUT, ECRECOVER_OUTPUT = _ecrecover_input()
CALLS = {
    (0x01).to_bytes(20, "big"): ECRECOVER_INPUT,
    (0x08).to_bytes(20, "big"): b"",  # the empty pairing product is one
    (0x0A).to_bytes(20, "big"): _point_evaluation_input(),
    (0x0B).to_bytes(20, "big"): b"\x00" * 256,  # BLS12 G1 add of two points at infinity
}


class HostBackedOracle:
    """Hints go to a host fetcher; pre-images come from its store (what the pipes carry)."""

    def __init__(self, corrupt: bool = False) -> None:
        self.kv = MemoryKeyValueStore()
        self.fetcher = OnlineFetcher(self.kv, None, None)
        self.hints: list[tuple[str, bytes]] = []
        self.corrupt = corrupt

    def hint(self, hint_type: str, data: bytes) -> None:
        self.hints.append((hint_type, data))
        self.fetcher(hint_type, data)

    def get(self, key: PreimageKey) -> bytes:
        value = self.kv.get(key)
        if value is None:
            raise MissingPreimageError(f"pre-image {key} not available")
        return b"\x00" if self.corrupt else value


def _build(precompiles: OraclePrecompiles | None) -> BlockBuildResult:
    scenario = Scenario.create(isthmus_time=0)
    user = address_of(USER)
    state_root, nodes = genesis_state({}, {user: 10**18})
    cfg = scenario.config
    parent = l2_genesis_header(cfg, state_root, 1_000_000, requests_hash=keccak256(b""))
    state = DictTrieState(nodes)
    state.headers[parent.hash()] = parent
    txs = tuple(
        dynamic_fee_tx(USER, L2_CHAIN_ID, nonce, address, data, gas=200_000)
        for nonce, (address, data) in enumerate(CALLS.items())
    )
    attributes = OpPayloadAttributes(
        timestamp=parent.timestamp + 2,
        prev_randao=HASH_ZERO,
        suggested_fee_recipient=b"\x00" * 20,
        withdrawals=(),
        parent_beacon_block_root=HASH_ZERO,
        transactions=txs,
        gas_limit=30_000_000,
        eip1559_params=b"\x00" * 8,
    )
    builder = StatelessL2Builder(cfg, state, None, parent, precompiles=precompiles)
    return builder.build_block(attributes)


def test_host_answered_precompiles_build_the_same_block() -> None:
    local = _build(None)
    assert all(r.success for r in local.receipts)
    host = HostBackedOracle()
    remote_precompiles = OraclePrecompiles(host, host)
    remote = _build(remote_precompiles)
    assert remote.block_hash == local.block_hash
    assert remote_precompiles.calls == len(CALLS)
    # Every request is an l1-precompile-v2 hint: address ‖ uint64 gas ‖ input (the gas the
    # client charged: 3000, 45000, 50000, 375).
    gases = dict(zip(CALLS, (3000, 45_000, 50_000, 375), strict=True))
    expected = [
        (HintType.L1_PRECOMPILE_V2.value, address + gases[address].to_bytes(8, "big") + data)
        for address, data in CALLS.items()
    ]
    assert host.hints == expected
    ecrecover = precompile_key((1).to_bytes(20, "big"), ECRECOVER_INPUT, 3000)
    assert host.kv.get(ecrecover) == b"\x01" + ECRECOVER_OUTPUT
    pairing = precompile_key((8).to_bytes(20, "big"), b"", 45_000)
    assert host.kv.get(pairing) == b"\x01" + (1).to_bytes(32, "big")


def test_failed_result_fails_the_call() -> None:
    # A status-0 answer is a failing precompile: the call consumes all its gas.
    host = HostBackedOracle(corrupt=True)
    result = _build(OraclePrecompiles(host, host))
    local = _build(None)
    assert result.block_hash != local.block_hash
    assert [r.success for r in result.receipts] == [False] * len(CALLS)
    assert result.header.gas_used == len(CALLS) * 200_000


def test_missing_answer_is_a_missing_preimage() -> None:
    class Silent(HostBackedOracle):
        def hint(self, hint_type: str, data: bytes) -> None:
            pass

    host = Silent()
    with pytest.raises(MissingPreimageError):
        _build(OraclePrecompiles(host, host))


def test_gas_is_charged_before_asking() -> None:
    # A call with less gas than the precompile needs fails locally: the host is never asked.
    host = HostBackedOracle()
    precompiles = OraclePrecompiles(host, host)
    pairing = AcceleratedPrecompile(
        (8).to_bytes(20, "big"), PRAGUE_PRECOMPILES[(8).to_bytes(20, "big")], precompiles
    )

    with pytest.raises(OutOfGas, match="needs 45000"):
        pairing(DetachedComputation(b"", gas_limit=44_999))
    assert precompiles.calls == 0
    assert host.hints == []


def test_point_evaluation_matches_py_evm() -> None:
    # Same output and the same failures as py-evm's version, without reloading the setup.
    good = CALLS[(0x0A).to_bytes(20, "big")]
    bad_proof = good[:144] + bytes(48)
    bad_hash = b"\x02" + good[1:]

    def run(fn: object, data: bytes) -> bytes | str:
        computation = DetachedComputation(data, gas_limit=50_000)
        try:
            fn(computation)  # type: ignore[operator]
        except VMError:
            return "error"
        assert computation.gas_remaining == 0  # charged exactly 50,000
        return computation.output

    reference = PRAGUE_PRECOMPILES[(0x0A).to_bytes(20, "big")]
    assert run(point_evaluation, good) == run(reference, good)
    for data in (bad_proof, bad_hash, good[:191]):  # py-evm fails these too (its checks, same order)
        assert run(point_evaluation, data) == "error"
    assert run(point_evaluation, good) == (4096).to_bytes(32, "big") + bytes.fromhex(
        "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
    )
