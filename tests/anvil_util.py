"""An OP Stack chain whose L1 is a real anvil node, for the online-provider tests.

- ``anvil`` / ``anvil_node``: pytest fixtures (import ``anvil_fixture`` and ``anvil_node_fixture``
  into a test module or conftest); a
  missing anvil binary fails the tests loudly.
- :class:`AnvilChain`: a rollup config whose L1 genesis is anvil's block 0, a batcher (anvil dev
  account 0), a depositor (dev account 1) and a TransactionDeposited-emitting contract at the
  deposit contract address; L1 blocks are mined one by one 12 s apart (automine off).
- :func:`plan_l2_chain`: the expected L2 chain for a list of planned blocks (epoch, deposits,
  user transactions), computed directly from the spec rules (L1-info deposit, user deposits,
  batch transactions), with real L2 headers whose hashes the batches reference.
- :class:`L2RpcStandIn`: a tiny JSON-RPC server (``http.server`` in a thread) serving such an L2
  chain through ``eth_getBlockByNumber``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from coincurve import PrivateKey

from mauna.derive.attributes import SEQUENCER_FEE_VAULT, OpPayloadAttributesWithParent
from mauna.derive.l2_block import l2_block_info_from_block, system_config_from_block
from mauna.derive.memory import InMemoryL2ChainProvider
from mauna.derive.pipeline import DerivationPipeline, PipelineBuilder
from mauna.derive.providers import BlobProvider, ChainProvider, L2Block
from mauna.derive.signals import Signal
from mauna.derive.testing import (
    BATCH_INBOX,
    DEPOSIT_CONTRACT,
    L2_CHAIN_ID,
    address_of,
    blank_header,
    dynamic_fee_tx,
    scenario_rollup_config,
)
from mauna.derive.testing import sign_typed_tx as sign_typed
from mauna.devtools.anvil import DEV_KEYS, Anvil
from mauna.executor.attributes import OpPayloadAttributes
from mauna.genesis.blob_schedule import (
    BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
    BlobScheduleEntry,
    L1BlobSchedule,
)
from mauna.genesis.rollup_config import ChainGenesis, RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.mpt.ordered import ordered_trie_root
from mauna.primitives.block import BlockID
from mauna.primitives.bytes import HASH_ZERO, keccak256, to_hex
from mauna.primitives.header import EMPTY_ROOT_HASH, Header
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.protocol import kzg
from mauna.protocol.batch import SingleBatch
from mauna.protocol.blobs import encode_blob, kzg_to_versioned_hash
from mauna.protocol.deposits import DepositTx, encode_deposit_log, user_deposit_source_hash
from mauna.protocol.frames import Frame, encode_frames
from mauna.protocol.l1_info import l1_info_deposit_from_header
from mauna.protocol.system_config_logs import encode_ecotone_scalar

BATCHER_KEY = PrivateKey(DEV_KEYS[0])
DEPOSITOR_KEY = PrivateKey(DEV_KEYS[1])
STRANGER_KEY = PrivateKey(DEV_KEYS[2])
L1_BLOCK_TIME = 12
GAS_LIMIT = 30_000_000
SCHEDULE = L1BlobSchedule(
    chain_id=900,
    name="anvil",
    entries=(BlobScheduleEntry("prague", 0, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE),),
)
CANYON_DENOMINATOR = 250
CANYON_ELASTICITY = 6

DEPOSIT_EVENT_TOPIC = keccak256(b"TransactionDeposited(address,address,uint256,bytes)")
# calldata = topic1 ‖ topic2 ‖ topic3 ‖ data  →  LOG4(data, TOPIC0, topic1, topic2, topic3)
LOG_EMITTER_CODE = (
    bytes.fromhex("3660006000376040516020516000517f")
    + DEPOSIT_EVENT_TOPIC
    + bytes.fromhex("606036036060a400")
)


@pytest.fixture(scope="session", name="anvil_node")
def anvil_node_fixture() -> Iterator[Anvil]:
    """One anvil per test session (per xdist worker): it loads its KZG setup once (about 2 s, on
    the first blob transaction)."""
    node = Anvil(hardfork="prague", chain_id=900)
    with node:
        yield node
    node.close()


@pytest.fixture(name="anvil")
def anvil_fixture(anvil_node: Anvil) -> Iterator[Anvil]:
    """The session's anvil, its chain reverted to genesis after the test (``evm_snapshot``)."""
    snapshot = anvil_node.rpc("evm_snapshot")
    try:
        yield anvil_node
    finally:
        anvil_node.rpc("anvil_dropAllTransactions")
        anvil_node.rpc("evm_revert", snapshot)


def l2_user_tx(nonce: int, data: bytes = b"") -> bytes:
    """A signed L2 EIP-1559 transfer (L2 chain id 901)."""
    key = PrivateKey(keccak256(b"anvil chain l2 user"))
    return dynamic_fee_tx(key, L2_CHAIN_ID, nonce, b"\x42" * 20, data, gas=21_000 + 16 * len(data))


@dataclass
class AnvilChain:
    """The rollup on top of a running anvil."""

    anvil: Anvil
    config: RollupConfig
    genesis_l2: L2Block
    nonces: dict[bytes, int] = field(default_factory=dict)
    headers: dict[int, Header] = field(default_factory=dict)

    @classmethod
    def create(cls, anvil: Anvil, **overrides: Any) -> AnvilChain:
        anvil.set_automine(False)
        anvil.set_code(DEPOSIT_CONTRACT, LOG_EMITTER_CODE)
        l1_genesis = Header.from_rpc(anvil.block(0))
        system_config = SystemConfig(
            batcher_address=address_of(BATCHER_KEY),
            overhead=0,
            scalar=encode_ecotone_scalar(1368, 810949),
            gas_limit=GAS_LIMIT,
            base_fee_scalar=1368,
            blob_base_fee_scalar=810949,
        )
        genesis_l2 = L2Block(
            make_l2_header(HASH_ZERO, 0, l1_genesis.timestamp, keccak256(b"l2 genesis"), HASH_ZERO, ()),
            (),
        )
        genesis = ChainGenesis(
            l1=BlockID(l1_genesis.hash(), 0),
            l2=BlockID(genesis_l2.header.hash(), 0),
            l2_time=l1_genesis.timestamp,
            system_config=system_config,
        )
        chain = cls(anvil, scenario_rollup_config(genesis, anvil.chain_id, **overrides), genesis_l2)
        chain.headers[0] = l1_genesis
        return chain

    # --- L1 -------------------------------------------------------------------------------------
    def head(self) -> Header:
        return self.headers[max(self.headers)]

    def mine(self, txs: Sequence[bytes] = ()) -> Header:
        """Send ``txs`` and mine them into the next L1 block, 12 s after the head."""
        hashes = [self.anvil.send_raw(tx) for tx in txs]
        block = self.anvil.mine(self.head().timestamp + L1_BLOCK_TIME)
        included = [tx["hash"] for tx in block["transactions"]]
        # anvil orders the block by fee and arrival; only the set of transactions is fixed.
        assert sorted(included) == sorted(hashes), f"L1 block #{int(block['number'], 16)} holds {included}"
        for tx_hash in hashes:
            assert self.anvil.receipt(tx_hash)["status"] == "0x1", f"L1 tx {tx_hash} reverted"
        header = Header.from_rpc(block)
        self.headers[header.number] = header
        return header

    def mine_empty(self, count: int) -> None:
        for _ in range(count):
            self.mine()

    def _nonce(self, key: PrivateKey) -> int:
        address = address_of(key)
        if address not in self.nonces:
            self.nonces[address] = self.anvil.nonce(address)
        nonce = self.nonces[address]
        self.nonces[address] = nonce + 1
        return nonce

    def call_tx(self, key: PrivateKey, to: bytes, data: bytes, gas: int = 1_000_000) -> bytes:
        fields = [self.anvil.chain_id, self._nonce(key), 10**9, 100 * 10**9, gas, to, 0, data, []]
        return sign_typed(key, 2, fields)

    def batcher_tx(self, frames: Sequence[Frame], *, key: PrivateKey = BATCHER_KEY) -> bytes:
        return self.call_tx(key, BATCH_INBOX, encode_frames(frames), gas=2_000_000)

    def blob_tx(self, key: PrivateKey, to: bytes, blobs: Sequence[bytes]) -> bytes:
        """A type-3 tx carrying ``blobs``, in its network form (blobs, commitments, proofs)."""
        commitments = [kzg.blob_to_commitment(b) for b in blobs]
        proofs = [kzg.compute_blob_proof(b, c) for b, c in zip(blobs, commitments, strict=True)]
        hashes = [kzg_to_versioned_hash(c) for c in commitments]
        fields = [
            self.anvil.chain_id, self._nonce(key), 10**9, 100 * 10**9, 100_000, to, 0, b"", [],
            10**10, hashes,
        ]  # fmt: skip
        body = rlp_decode(sign_typed(key, 3, fields)[1:])
        return b"\x03" + rlp_encode([body, list(blobs), commitments, proofs])

    def blob_batcher_tx(
        self, frame_groups: Sequence[Sequence[Frame]], *, key: PrivateKey = BATCHER_KEY
    ) -> tuple[bytes, list[bytes]]:
        """A batcher blob tx (network form), one blob per frame group; and the blobs."""
        blobs = [encode_blob(encode_frames(group)) for group in frame_groups]
        return self.blob_tx(key, BATCH_INBOX, blobs), blobs

    def deposit_tx(self, deposit: DepositTx) -> bytes:
        """An L1 tx making the deposit contract emit TransactionDeposited for ``deposit``."""
        log = encode_deposit_log(deposit, DEPOSIT_CONTRACT)
        return self.call_tx(DEPOSITOR_KEY, DEPOSIT_CONTRACT, b"".join(log.topics[1:]) + log.data)

    # --- pipeline -------------------------------------------------------------------------------
    def in_memory_l2(self) -> InMemoryL2ChainProvider:
        l2 = InMemoryL2ChainProvider()
        add_l2_block(l2, self.genesis_l2, self.config)
        return l2

    def pipeline(
        self, l1: ChainProvider, blobs: BlobProvider | None, l2: InMemoryL2ChainProvider
    ) -> DerivationPipeline:
        builder = PipelineBuilder(self.config).chain_provider(l1).l2_chain_provider(l2)
        if blobs is not None:
            builder = builder.blob_provider(blobs)
        return builder.l1_blob_schedule(SCHEDULE).build()


def add_l2_block(l2: InMemoryL2ChainProvider, block: L2Block, config: RollupConfig) -> None:
    l2.add_block(l2_block_info_from_block(block, config), system_config_from_block(block, config), block)


async def derive_all(
    chain: AnvilChain, pipeline: DerivationPipeline, l2: InMemoryL2ChainProvider, planned: Sequence[L2Block]
) -> list[OpPayloadAttributesWithParent]:
    """Derive block after block; the "engine" appends the planned block of the same number."""
    head = await l2.l2_block_info_by_number(max(l2.entries))
    await pipeline.signal(Signal.RESET, head)
    out: list[OpPayloadAttributesWithParent] = []
    by_number = {b.header.number: b for b in planned}
    while head.number + 1 in by_number:
        derived = await pipeline.run_until_attributes(head)
        if derived is None:
            break
        out.append(derived)
        add_l2_block(l2, by_number[head.number + 1], chain.config)
        head = await l2.l2_block_info_by_number(head.number + 1)
    return out


# --- the planned L2 chain ------------------------------------------------------------------------
def make_l2_header(
    parent_hash: bytes,
    number: int,
    timestamp: int,
    prev_randao: bytes,
    parent_beacon_root: bytes,
    transactions: Sequence[bytes],
    *,
    gas_limit: int = GAS_LIMIT,
    extra_data: bytes = b"\x00"
    + CANYON_DENOMINATOR.to_bytes(4, "big")
    + CANYON_ELASTICITY.to_bytes(4, "big"),
) -> Header:
    return blank_header(
        parent_hash=parent_hash,
        beneficiary=SEQUENCER_FEE_VAULT,
        state_root=keccak256(b"state %d" % number),
        transactions_root=ordered_trie_root(list(transactions)),
        number=number,
        gas_limit=gas_limit,
        timestamp=timestamp,
        extra_data=extra_data,
        mix_hash=prev_randao,
        base_fee_per_gas=1,
        withdrawals_root=EMPTY_ROOT_HASH,
        blob_gas_used=0,
        excess_blob_gas=0,
        parent_beacon_block_root=parent_beacon_root,
    )


@dataclass(frozen=True)
class PlannedBlock:
    epoch: Header
    user_txs: tuple[bytes, ...] = ()
    deposits: tuple[DepositTx, ...] = ()
    """The user deposits of the epoch (only used on its first block), source hashes included."""


@dataclass(frozen=True)
class PlannedChain:
    attributes: list[OpPayloadAttributes]
    blocks: list[L2Block]
    batches: list[SingleBatch]


def expected_extra_data(config: RollupConfig, params: bytes | None) -> bytes:
    if params is None:
        return b""
    if params == b"\x00" * 8:
        params = CANYON_DENOMINATOR.to_bytes(4, "big") + CANYON_ELASTICITY.to_bytes(4, "big")
    return b"\x00" + params


def plan_l2_chain(chain: AnvilChain, planned: Sequence[PlannedBlock]) -> PlannedChain:
    """The L2 blocks 1..n after genesis, their attributes and the singular batches carrying them."""
    cfg = chain.config
    parent = chain.genesis_l2
    attributes, blocks, batches = [], [], []
    for block in planned:
        info = l2_block_info_from_block(parent, cfg)
        system_config = system_config_from_block(parent, cfg)
        ts = parent.header.timestamp + cfg.block_time
        new_epoch = block.epoch.number != info.l1_origin.number
        seq = 0 if new_epoch else info.seq_num + 1
        _, l1_info = l1_info_deposit_from_header(
            cfg, system_config, seq, block.epoch, ts, l1_blob_schedule=SCHEDULE
        )
        deposits = [d.encode() for d in block.deposits] if new_epoch else []
        txs = (l1_info.encode(), *deposits, *block.user_txs)
        params = (
            b"\x00" * 8
            if parent.header.number == 0
            else (system_config.eip1559_denominator or 0).to_bytes(4, "big")
            + (system_config.eip1559_elasticity or 0).to_bytes(4, "big")
        )
        attrs = OpPayloadAttributes(
            timestamp=ts,
            prev_randao=block.epoch.mix_hash,
            suggested_fee_recipient=SEQUENCER_FEE_VAULT,
            withdrawals=(),
            parent_beacon_block_root=block.epoch.parent_beacon_block_root or HASH_ZERO,
            transactions=txs,
            no_tx_pool=True,
            gas_limit=system_config.gas_limit,
            eip1559_params=params,
        )
        header = make_l2_header(
            parent.header.hash(),
            parent.header.number + 1,
            ts,
            attrs.prev_randao,
            attrs.parent_beacon_block_root or HASH_ZERO,
            txs,
            extra_data=expected_extra_data(cfg, params),
        )
        batches.append(
            SingleBatch(parent.header.hash(), block.epoch.number, block.epoch.hash(), ts, block.user_txs)
        )
        parent = L2Block(header, txs)
        attributes.append(attrs)
        blocks.append(parent)
    return PlannedChain(attributes, blocks, batches)


def epoch_for(chain: AnvilChain, timestamp: int) -> Header:
    """The latest mined L1 block not after ``timestamp``."""
    return max((h for h in chain.headers.values() if h.timestamp <= timestamp), key=lambda h: h.number)


def plan_blocks(
    chain: AnvilChain, count: int, deposits: dict[int, tuple[DepositTx, ...]] | None = None
) -> PlannedChain:
    """L2 blocks 1..count, each with one user tx, in the latest L1 epoch available at its time."""
    t0 = chain.config.genesis.l2_time
    blocks = []
    for n in range(1, count + 1):
        epoch = epoch_for(chain, t0 + chain.config.block_time * n)
        blocks.append(PlannedBlock(epoch, (l2_user_tx(n),), (deposits or {}).get(epoch.number, ())))
    return plan_l2_chain(chain, blocks)


def user_deposit(l1_block_hash: bytes, log_index: int, n: int) -> DepositTx:
    """A user deposit as derived from the ``log_index``-th log of an L1 block."""
    return DepositTx(
        source_hash=user_deposit_source_hash(l1_block_hash, log_index),
        from_=bytes([0xD0]) * 19 + bytes([n]),
        to=bytes([0xE0]) * 19 + bytes([n]),
        mint=10**18 + n,
        value=n,
        gas=100_000 + n,
        is_system_tx=False,
        data=b"deposit %d" % n,
    )


# --- JSON-RPC shapes of L2 blocks ----------------------------------------------------------------
def tx_to_rpc(raw: bytes) -> dict[str, Any]:
    """The JSON object op-geth gives for a deposit or EIP-1559 transaction."""
    tx_hash = to_hex(keccak256(raw))
    if raw[0] == 0x7E:
        d = DepositTx.decode(raw)
        return {
            "type": "0x7e",
            "hash": tx_hash,
            "sourceHash": to_hex(d.source_hash),
            "from": to_hex(d.from_),
            "to": None if d.to is None else to_hex(d.to),
            "mint": hex(d.mint),
            "value": hex(d.value),
            "gas": hex(d.gas),
            "isSystemTx": d.is_system_tx,
            "input": to_hex(d.data),
            "nonce": "0x0",
            "v": "0x0",
            "r": "0x0",
            "s": "0x0",
        }
    assert raw[0] == 2, f"unsupported tx type {raw[0]}"
    items = rlp_decode(raw[1:])
    ints = [int.from_bytes(items[i], "big") for i in (0, 1, 2, 3, 4, 6, 9, 10, 11)]
    chain_id, nonce, tip, fee_cap, gas, value, y, r, s = ints
    return {
        "type": "0x2",
        "hash": tx_hash,
        "chainId": hex(chain_id),
        "nonce": hex(nonce),
        "maxPriorityFeePerGas": hex(tip),
        "maxFeePerGas": hex(fee_cap),
        "gas": hex(gas),
        "to": to_hex(items[5]) if items[5] else None,
        "value": hex(value),
        "input": to_hex(items[7]),
        "accessList": [],
        "yParity": hex(y),
        "v": hex(y),
        "r": hex(r),
        "s": hex(s),
    }


def block_to_rpc(block: L2Block) -> dict[str, Any]:
    out = block.header.to_rpc()
    out["transactions"] = [tx_to_rpc(tx) for tx in block.transactions]
    out["uncles"] = []
    out["withdrawals"] = []
    return out


class L2RpcStandIn:
    """Serves ``eth_getBlockByNumber`` / ``eth_chainId`` for a fixed L2 chain on 127.0.0.1."""

    def __init__(self, blocks: Sequence[L2Block]) -> None:
        self.blocks = {b.header.number: b for b in blocks}
        self.calls: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                request = json.loads(self.rfile.read(length))
                body = (
                    [stand_in.answer(r) for r in request]
                    if isinstance(request, list)
                    else stand_in.answer(request)
                )
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        method, params = request.get("method"), request.get("params", [])
        self.calls.append(str(method))
        result: Any
        if method == "eth_chainId":
            result = hex(L2_CHAIN_ID)
        elif method == "eth_getBlockByNumber":
            block = self.blocks.get(int(params[0], 16))
            result = None if block is None else block_to_rpc(block)
        else:
            error = {"code": -32601, "message": f"the method {method} does not exist/is not available"}
            return {"jsonrpc": "2.0", "id": request.get("id"), "error": error}
        return {"jsonrpc": "2.0", "id": request.get("id"), "result": result}

    def __enter__(self) -> L2RpcStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def tamper(block: L2Block, **changes: Any) -> L2Block:
    return L2Block(replace(block.header, _hash=None, **changes), block.transactions)


def iter_frames(batches: Sequence[SingleBatch], cid: int, algo: str = "zlib") -> Iterator[Frame]:
    from mauna.derive.testing import channel_frames, channel_id

    yield from channel_frames(batches, channel_id(cid), algo=algo)
