"""A complete, offline fault-proof case: a small L2 chain, its L1, and every pre-image a host serves.

The chain runs the real OP predeploys (deployed bytecode from ``@eth-optimism/contracts-bedrock``,
read from hex files; see ``tests/fixtures/proof/PROVENANCE.md``) behind EIP-1967 proxies, with
every fork through Holocene active at genesis, Isthmus from L2 block 3 and Jovian from block 5:
the upgrade deposits of those blocks install the real Isthmus and Jovian contracts. L2 blocks are
built with :class:`~mauna.proof.executor.NodeKeepingBuilder` from attributes made by the
derivation's attributes builder (L1-info deposit in each fork's format, upgrade deposits, a user
deposit from a ``TransactionDeposited`` log and SystemConfig updates on L1, user transactions),
then batched into one channel posted in an L1 block, so that deriving from L1 reproduces them.
Everything is deterministic.

:func:`build_case` returns the case; :func:`write_case` stores it as a data directory in
op-program's layout (``preimages/``) plus ``case.json`` (the boot inputs and the output root of
every block); :func:`load_case` reads it back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth.db.backends.memory import MemoryDB
from eth_typing import Address

from mauna.derive.attributes_builder import StatefulAttributesBuilder
from mauna.derive.l2_block import l2_block_info_from_block, system_config_from_block
from mauna.derive.memory import InMemoryChainProvider, InMemoryL2ChainProvider, L1Block
from mauna.derive.providers import L2Block
from mauna.derive.testing import (
    DEPOSIT_CONTRACT,
    L1_CHAIN_ID,
    L2_USER_KEY,
    OTHER_KEY,
    SYSTEM_CONFIG_ADDRESS,
    Scenario,
    address_of,
    blank_header,
    channel_frames,
    channel_id,
    dynamic_fee_tx,
)
from mauna.errors import MissingPreimageError
from mauna.executor.attributes import OpPayloadAttributes
from mauna.executor.receipts import OpReceipt, logs_bloom
from mauna.genesis.rollup_config import RollupConfig
from mauna.mpt.ordered import ordered_trie_root
from mauna.preimage.keys import keccak256_key
from mauna.primitives.block import BlockID, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.primitives.header import EMPTY_ROOT_HASH, Header
from mauna.primitives.receipt import Log, Receipt
from mauna.proof.executor import NodeKeepingBuilder
from mauna.proof.host.kv import DiskKeyValueStore
from mauna.proof.trie_walk import ordered_list_nodes
from mauna.protocol.batch import SingleBatch
from mauna.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx, encode_deposit_log
from mauna.protocol.output_root import OutputRootV0
from mauna.protocol.system_config_logs import (
    DaFootprintGasScalarUpdate,
    MinBaseFeeUpdate,
    OperatorFeeUpdate,
    encode_config_update_log,
)
from mauna.protocol.upgrades.common import OPERATOR_FEE_VAULT_PROXY

PREDEPLOYS: dict[str, bytes] = {
    "GasPriceOracle": bytes.fromhex("420000000000000000000000000000000000000f"),
    "SequencerFeeVault": bytes.fromhex("4200000000000000000000000000000000000011"),
    "L1Block": bytes.fromhex("4200000000000000000000000000000000000015"),
    "L2ToL1MessagePasser": bytes.fromhex("4200000000000000000000000000000000000016"),
    "BaseFeeVault": bytes.fromhex("4200000000000000000000000000000000000019"),
    "L1FeeVault": bytes.fromhex("420000000000000000000000000000000000001a"),
}
MESSAGE_PASSER = PREDEPLOYS["L2ToL1MessagePasser"]
PROXY_ADMIN = bytes.fromhex("4200000000000000000000000000000000000018")
IMPLEMENTATION_SLOT = int.from_bytes(keccak256(b"eip1967.proxy.implementation"), "big") - 1
ADMIN_SLOT = int.from_bytes(keccak256(b"eip1967.proxy.admin"), "big") - 1
INITIATE_WITHDRAWAL = keccak256(b"initiateWithdrawal(address,uint256,bytes)")[:4]
USER_BALANCE = 100 * 10**18
DEPOSIT_RECIPIENT = bytes.fromhex("00000000000000000000000000000000000d0d01")
TRANSFER_TARGET = b"\x42" * 20
L2_GENESIS_BASE_FEE = 1_000_000
L2_GAS_LIMIT = 30_000_000
ISTHMUS_BLOCK = 3
JOVIAN_BLOCK = 5
CONFIG_UPDATES = (
    OperatorFeeUpdate(2_000, 3_000_000_000),
    MinBaseFeeUpdate(5_000_000),
    DaFootprintGasScalarUpdate(600),
)
CASE_FILE = "case.json"
ROLLUP_FILE = "rollup.json"
PREIMAGE_DIR = "preimages"


@dataclass(frozen=True, slots=True)
class ProofCase:
    """A chain and the inputs of one proof over it."""

    rollup_config: RollupConfig
    preimages: dict[bytes, bytes]
    """Every non-local pre-image, by 32-byte key."""
    l1_head: bytes
    output_roots: tuple[bytes, ...]
    """Output root of L2 blocks 0..n."""
    block_hashes: tuple[bytes, ...]
    agreed_block: int
    claimed_block: int
    execution_seconds: float
    """Plain (in-memory) execution time of the blocks after the agreed one."""

    @property
    def agreed_output_root(self) -> bytes:
        return self.output_roots[self.agreed_block]

    @property
    def claimed_output_root(self) -> bytes:
        return self.output_roots[self.claimed_block]

    @property
    def agreed_head_hash(self) -> bytes:
        return self.block_hashes[self.agreed_block]

    def boot_args(self) -> dict[str, Any]:
        """The boot inputs (``mauna host`` flag names without dashes)."""
        return {
            "l1_head": "0x" + self.l1_head.hex(),
            "agreed_l2_head_hash": "0x" + self.agreed_head_hash.hex(),
            "agreed_l2_output_root": "0x" + self.agreed_output_root.hex(),
            "claimed_l2_output_root": "0x" + self.claimed_output_root.hex(),
            "claimed_l2_block_number": self.claimed_block,
            "l2_chain_id": self.rollup_config.l2_chain_id,
        }


class DictTrieState:
    """A :class:`~mauna.mpt.TrieProvider` over dictionaries (the generator's full node)."""

    def __init__(self, nodes: dict[bytes, bytes]) -> None:
        self.nodes = nodes
        self.headers: dict[bytes, Header] = {}

    def trie_node_by_hash(self, node_hash: bytes) -> bytes:
        try:
            return self.nodes[node_hash]
        except KeyError:
            raise MissingPreimageError(f"trie node 0x{node_hash.hex()} not available") from None

    def bytecode_by_hash(self, code_hash: bytes) -> bytes:
        return self.trie_node_by_hash(code_hash)

    def header_by_hash(self, block_hash: bytes) -> Header:
        try:
            return self.headers[block_hash]
        except KeyError:
            raise MissingPreimageError(f"header 0x{block_hash.hex()} not available") from None


def load_predeploys(directory: Path) -> dict[bytes, bytes]:
    """``{address: deployed code}`` from ``<Name>.hex`` files."""
    return {
        addr: bytes.fromhex((directory / f"{name}.hex").read_text().strip())
        for name, addr in PREDEPLOYS.items()
    }


def proxied_genesis_alloc(
    directory: Path,
) -> tuple[dict[bytes, bytes], dict[bytes, dict[int, int]]]:
    """``(code, storage)`` of a genesis with the predeploys behind EIP-1967 ``Proxy`` contracts.

    As in an OP Stack genesis, each predeploy address holds the ``Proxy`` code with its
    implementation slot pointing at ``0xc0d3…<same suffix>``, where the implementation's code
    lives, and the ProxyAdmin as admin; the OperatorFeeVault proxy (``0x42…1b``) has no
    implementation until the Isthmus upgrade deposits install one. The GasPriceOracle's
    ``isEcotone`` and ``isFjord`` flags are set (those forks are active at genesis).
    """
    proxy_code = bytes.fromhex((directory / "Proxy.hex").read_text().strip())
    admin = {ADMIN_SLOT: int.from_bytes(PROXY_ADMIN, "big")}
    code: dict[bytes, bytes] = {OPERATOR_FEE_VAULT_PROXY: proxy_code}
    storage: dict[bytes, dict[int, int]] = {OPERATOR_FEE_VAULT_PROXY: dict(admin)}
    for address, implementation_code in load_predeploys(directory).items():
        implementation = implementation_address(address)
        code[address] = proxy_code
        code[implementation] = implementation_code
        storage[address] = {IMPLEMENTATION_SLOT: int.from_bytes(implementation, "big"), **admin}
    storage[PREDEPLOYS["GasPriceOracle"]][0] = 0x0101
    return code, storage


def implementation_address(predeploy: bytes) -> bytes:
    """Where the genesis puts a predeploy's implementation: ``0xc0d3c0d3…`` and its last two bytes."""
    return bytes.fromhex("c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3") + predeploy[18:]


def genesis_state(
    code: Mapping[bytes, bytes],
    balances: Mapping[bytes, int],
    storage: Mapping[bytes, Mapping[int, int]] | None = None,
) -> tuple[bytes, dict[bytes, bytes]]:
    """State root and every trie node / bytecode of a genesis allocation (accounts with code get
    nonce 1; ``storage`` maps an address to its ``{slot: value}``)."""
    raw = MemoryDB()
    accounts = AccountDB(AtomicDB(raw))
    for address, bytecode in code.items():
        accounts.set_code(Address(address), bytecode)
        accounts.set_nonce(Address(address), 1)
    for address, balance in balances.items():
        accounts.set_balance(Address(address), balance)
    for address, slots in (storage or {}).items():
        for slot, value in slots.items():
            accounts.set_storage(Address(address), slot, value)
    root = bytes(accounts.make_state_root())
    accounts.persist()
    return root, {bytes(k): bytes(v) for k, v in raw.kv_store.items()}


def _l1_block(
    parent: Header, transactions: Sequence[bytes], receipts: Sequence[OpReceipt], salt: bytes
) -> L1Block:
    encoded = [r.encode() for r in receipts]
    number = parent.number + 1
    bloom = 0
    for r in receipts:
        bloom |= int.from_bytes(r.logs_bloom, "big")
    header = replace(
        parent,
        parent_hash=parent.hash(),
        number=number,
        timestamp=parent.timestamp + 12,
        mix_hash=keccak256(b"randao %d" % number + salt),
        parent_beacon_block_root=keccak256(b"beacon %d" % number + salt),
        transactions_root=ordered_trie_root(list(transactions)),
        receipts_root=ordered_trie_root(encoded),
        logs_bloom=bloom.to_bytes(256, "big"),
        gas_used=receipts[-1].cumulative_gas_used if receipts else 0,
        _hash=None,
    )
    plain = tuple(Receipt(1 if r.success else 0, r.cumulative_gas_used, r.logs, r.tx_type) for r in receipts)
    return L1Block(header, tuple(transactions), plain)


def _receipt(tx_type: int, cumulative: int, logs: tuple[Log, ...] = ()) -> OpReceipt:
    return OpReceipt(tx_type, True, cumulative, logs, logs_bloom(logs))


def l2_genesis_header(cfg: RollupConfig, state_root: bytes, base_fee: int, **fields: Any) -> Header:
    """The L2 genesis header of a chain with every fork through Holocene at genesis: the chain's
    EIP-1559 parameters in a version-0 ``extraData``, empty withdrawals, zero blob gas and beacon
    root. ``fields`` set any other header field."""
    denominator = cfg.chain_op_config.eip1559_denominator_canyon
    elasticity = cfg.chain_op_config.eip1559_elasticity
    values: dict[str, Any] = {
        "state_root": state_root,
        "timestamp": cfg.genesis.l2_time,
        "extra_data": b"\x00" + denominator.to_bytes(4, "big") + elasticity.to_bytes(4, "big"),
        "base_fee_per_gas": base_fee,
        "withdrawals_root": EMPTY_ROOT_HASH,
        "blob_gas_used": 0,
        "excess_blob_gas": 0,
        "parent_beacon_block_root": HASH_ZERO,
        **fields,
    }
    return blank_header(**values)


def start_l2_chain(
    cfg: RollupConfig, genesis: Header, nodes: dict[bytes, bytes]
) -> tuple[DictTrieState, InMemoryL2ChainProvider, L2BlockInfo]:
    """A state over ``nodes`` that knows ``genesis``, an L2 provider holding it, and its block info."""
    state = DictTrieState(nodes)
    state.headers[genesis.hash()] = genesis
    l2 = InMemoryL2ChainProvider()
    block = L2Block(genesis, ())
    info = l2_block_info_from_block(block, cfg)
    l2.add_block(info, system_config_from_block(block, cfg), block)
    return state, l2, info


def initiate_withdrawal_calldata(target: bytes, gas_limit: int, data: bytes) -> bytes:
    """``L2ToL1MessagePasser.initiateWithdrawal(target, gas_limit, data)`` (``data`` ≤ 32 bytes)."""
    return (
        INITIATE_WITHDRAWAL
        + b"\x00" * 12
        + target
        + gas_limit.to_bytes(32, "big")
        + (96).to_bytes(32, "big")
        + len(data).to_bytes(32, "big")
        + data.ljust(32, b"\x00")
    )


def build_case(predeploy_dir: Path, *, agreed_block: int = 2, claimed_block: int = 6) -> ProofCase:
    """Build the chain (L2 blocks 1-6, L1 blocks 0-2) and collect its pre-images."""
    return asyncio.run(_build(predeploy_dir, agreed_block, claimed_block))


async def _build(predeploy_dir: Path, agreed_block: int, claimed_block: int) -> ProofCase:
    base = Scenario.create()
    user = address_of(L2_USER_KEY)
    code, storage = proxied_genesis_alloc(predeploy_dir)
    state_root, nodes = genesis_state(code, {user: USER_BALANCE}, storage)
    cfg0 = base.config
    genesis = l2_genesis_header(cfg0, state_root, L2_GENESIS_BASE_FEE, gas_limit=L2_GAS_LIMIT)
    assert cfg0.genesis.system_config is not None
    cfg = replace(
        cfg0,
        genesis=replace(
            cfg0.genesis,
            l2=BlockID(genesis.hash(), 0),
            system_config=replace(cfg0.genesis.system_config, gas_limit=L2_GAS_LIMIT),
        ),
        isthmus_time=cfg0.genesis.l2_time + cfg0.block_time * ISTHMUS_BLOCK,
        jovian_time=cfg0.genesis.l2_time + cfg0.block_time * JOVIAN_BLOCK,
    )
    l1 = InMemoryChainProvider()
    l1_genesis = base.l1_block(0)
    l1.add_block(l1_genesis)

    # L1 block 1: a user deposit (mint 1 ETH to DEPOSIT_RECIPIENT) and SystemConfig updates of
    # the operator fee (Isthmus), minimum base fee and DA footprint scalar (Jovian); it is the
    # origin of L2 block 6, the first where all of them apply.
    deposit = DepositTx(
        HASH_ZERO, address_of(OTHER_KEY), DEPOSIT_RECIPIENT, 10**18, 10**17, 100_000, False, b""
    )
    deposit_tx = dynamic_fee_tx(OTHER_KEY, L1_CHAIN_ID, 0, DEPOSIT_CONTRACT, b"\x01", gas=200_000)
    config_tx = dynamic_fee_tx(OTHER_KEY, L1_CHAIN_ID, 1, SYSTEM_CONFIG_ADDRESS, b"\x02", gas=200_000)
    config_logs = tuple(encode_config_update_log(u, SYSTEM_CONFIG_ADDRESS) for u in CONFIG_UPDATES)
    l1_1 = _l1_block(
        l1_genesis.header,
        [deposit_tx, config_tx],
        [
            _receipt(2, 60_000, (encode_deposit_log(deposit, DEPOSIT_CONTRACT),)),
            _receipt(2, 120_000, config_logs),
        ],
        b"",
    )
    l1.add_block(l1_1)

    state, l2, parent = start_l2_chain(cfg, genesis, nodes)
    attributes_builder = StatefulAttributesBuilder(cfg, l1, l2)
    withdrawal = initiate_withdrawal_calldata(user, 100_000, b"mana")
    user_txs: dict[int, list[bytes]] = {
        2: [dynamic_fee_tx(L2_USER_KEY, cfg.l2_chain_id, 0, TRANSFER_TARGET, b"", gas=21_000)],
        3: [dynamic_fee_tx(L2_USER_KEY, cfg.l2_chain_id, 1, MESSAGE_PASSER, withdrawal, gas=200_000)],
        6: [dynamic_fee_tx(L2_USER_KEY, cfg.l2_chain_id, 2, DEPOSIT_RECIPIENT, b"\x00\x01", gas=30_000)],
    }
    genesis_output = OutputRootV0(state_root, EMPTY_ROOT_HASH, genesis.hash())
    outputs = [genesis_output]
    headers = [genesis]
    transactions: list[tuple[bytes, ...]] = [()]
    seconds = 0.0
    for number in range(1, 7):
        epoch = l1_1 if number == 6 else l1_genesis
        attrs: OpPayloadAttributes = await attributes_builder.prepare_payload_attributes(
            parent, BlockID(epoch.hash, epoch.header.number)
        )
        attrs = replace(attrs, transactions=(*attrs.transactions, *user_txs.get(number, ())))
        builder = NodeKeepingBuilder(cfg, state, None, headers[-1])
        built, written = builder.build(attrs)
        failed = [i for i, r in enumerate(built.receipts) if not r.success]
        if failed:
            raise AssertionError(f"L2 block {number}: transactions {failed} failed")
        if number > agreed_block:
            seconds += built.seconds
        nodes.update(written)
        header = built.header
        state.headers[header.hash()] = header
        assert built.message_passer_storage_root is not None
        outputs.append(OutputRootV0(header.state_root, built.message_passer_storage_root, header.hash()))
        headers.append(header)
        transactions.append(attrs.transactions)
        block = L2Block(header, attrs.transactions)
        parent = l2_block_info_from_block(block, cfg)
        l2.add_block(parent, system_config_from_block(block, cfg), block)

    # L1 block 2: one channel with a singular batch per L2 block.
    batches = [
        SingleBatch(
            headers[n].parent_hash,
            l2.entries[n].info.l1_origin.number,
            l2.entries[n].info.l1_origin.hash,
            headers[n].timestamp,
            tuple(tx for tx in transactions[n] if tx[0] != DEPOSIT_TX_TYPE),
        )
        for n in range(1, 7)
    ]
    frames = channel_frames(batches, channel_id(1))
    batcher_tx = base.batcher_tx(frames)
    l1_2 = _l1_block(l1_1.header, [batcher_tx], [_receipt(2, 21_000 + 16 * len(batcher_tx))], b"")
    l1.add_block(l1_2)

    preimages: dict[bytes, bytes] = {}

    def put(digest: bytes, value: bytes) -> None:
        preimages[keccak256_key(digest).encode()] = value

    for digest, value in nodes.items():
        put(digest, value)
    for header, txs in zip(headers, transactions, strict=True):
        put(header.hash(), header.encode())
        for digest, value in ordered_list_nodes(list(txs)).items():
            put(digest, value)
    for output in outputs:
        put(output.hash(), output.encode())
    for l1_block in (l1_genesis, l1_1, l1_2):
        put(l1_block.hash, l1_block.header.encode())
        for digest, value in ordered_list_nodes(list(l1_block.transactions)).items():
            put(digest, value)
        receipts = [_receipt(r.tx_type, r.cumulative_gas_used, r.logs).encode() for r in l1_block.receipts]
        for digest, value in ordered_list_nodes(receipts).items():
            put(digest, value)
    return ProofCase(
        rollup_config=cfg,
        preimages=preimages,
        l1_head=l1_2.hash,
        output_roots=tuple(o.hash() for o in outputs),
        block_hashes=tuple(h.hash() for h in headers),
        agreed_block=agreed_block,
        claimed_block=claimed_block,
        execution_seconds=seconds,
    )


def write_case(case: ProofCase, directory: Path) -> None:
    """Store the case: ``preimages/`` (op-program ``file`` layout) and ``case.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    store = DiskKeyValueStore(directory / PREIMAGE_DIR, fsync=False)
    for key in sorted(case.preimages):
        store.set(key, case.preimages[key])
    document = {
        "boot": case.boot_args(),
        "agreed_block": case.agreed_block,
        "claimed_block": case.claimed_block,
        "output_roots": ["0x" + o.hex() for o in case.output_roots],
        "block_hashes": ["0x" + h.hex() for h in case.block_hashes],
        "rollup_config": case.rollup_config.to_op_node_json(include_extensions=True),
    }
    (directory / CASE_FILE).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    rollup = case.rollup_config.to_op_node_json(include_extensions=True)
    (directory / ROLLUP_FILE).write_text(json.dumps(rollup, indent=2, sort_keys=True) + "\n")


def load_case(directory: Path) -> ProofCase:
    """Read a case written by :func:`write_case`."""
    document = json.loads((directory / CASE_FILE).read_text())
    store = DiskKeyValueStore(directory / PREIMAGE_DIR, fsync=False)
    preimages = {k: store.get(k) or b"" for k in store.iter_keys()}
    return ProofCase(
        rollup_config=RollupConfig.from_json(document["rollup_config"]),
        preimages=preimages,
        l1_head=bytes.fromhex(document["boot"]["l1_head"][2:]),
        output_roots=tuple(bytes.fromhex(o[2:]) for o in document["output_roots"]),
        block_hashes=tuple(bytes.fromhex(h[2:]) for h in document["block_hashes"]),
        agreed_block=int(document["agreed_block"]),
        claimed_block=int(document["claimed_block"]),
        execution_seconds=0.0,
    )


__all__ = [
    "DictTrieState",
    "ProofCase",
    "build_case",
    "genesis_state",
    "implementation_address",
    "initiate_withdrawal_calldata",
    "l2_genesis_header",
    "load_case",
    "load_predeploys",
    "proxied_genesis_alloc",
    "start_l2_chain",
    "write_case",
]
