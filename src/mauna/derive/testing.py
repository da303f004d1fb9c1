"""Scenario kit: build L1 and L2 chains in memory, submit batches, run the pipeline.

Used by the derivation tests and by tools that replay derivation on synthetic data. Everything is
deterministic (fixed keys, timestamps and hashes derived from the inputs).

- :class:`Scenario` holds the rollup config, the in-memory providers, an L1 block builder and a
  minimal "engine" that turns derived attributes into the next L2 safe head.
- :func:`channel_frames` compresses batches into a channel (zlib or brotli) and splits it into
  frames; :meth:`Scenario.batcher_tx` / :meth:`Scenario.blob_batcher_tx` wrap frames into signed L1
  batcher transactions (calldata or blobs).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from coincurve import PrivateKey

from mauna.derive.attributes import OpPayloadAttributesWithParent
from mauna.derive.memory import InMemoryBlobProvider, InMemoryChainProvider, InMemoryL2ChainProvider, L1Block
from mauna.derive.pipeline import DerivationPipeline, PipelineBuilder
from mauna.derive.providers import L2Block
from mauna.derive.system_config_update import apply_system_config_logs
from mauna.genesis.rollup_config import ChainGenesis, RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.primitives.header import EMPTY_OMMERS_HASH, EMPTY_ROOT_HASH, Header
from mauna.primitives.receipt import Log, Receipt
from mauna.primitives.rlp_utils import rlp_encode
from mauna.protocol.batch import SingleBatch, SpanBatch, encode_batch
from mauna.protocol.blobs import encode_blob, kzg_to_versioned_hash
from mauna.protocol.compression import compress_brotli, compress_zlib
from mauna.protocol.frames import Frame, encode_frames
from mauna.protocol.l1_info import decode_l1_info_tx

BATCHER_KEY = PrivateKey(keccak256(b"mauna scenario batcher"))
OTHER_KEY = PrivateKey(keccak256(b"mauna scenario stranger"))
L2_USER_KEY = PrivateKey(keccak256(b"mauna scenario l2 user"))

BATCH_INBOX = bytes.fromhex("ff00000000000000000000000000000000000901")
DEPOSIT_CONTRACT = bytes.fromhex("00000000000000000000000000000000000d0001")
SYSTEM_CONFIG_ADDRESS = bytes.fromhex("00000000000000000000000000000000000c0001")
L1_CHAIN_ID = 11155111
L2_CHAIN_ID = 901


def address_of(key: PrivateKey) -> bytes:
    return keccak256(key.public_key.format(compressed=False)[1:])[12:]


def sign_typed_tx(key: PrivateKey, tx_type: int, fields: list[object]) -> bytes:
    """EIP-2718 typed transaction ``tx_type ‖ rlp(fields + [y, r, s])`` signed by ``key``."""
    payload = bytes([tx_type]) + rlp_encode(fields)
    sig = key.sign_recoverable(keccak256(payload), hasher=None)
    r, s, y = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
    return bytes([tx_type]) + rlp_encode([*fields, y, r, s])


def dynamic_fee_tx(
    key: PrivateKey, chain_id: int, nonce: int, to: bytes, data: bytes, gas: int = 100_000
) -> bytes:
    """A signed EIP-1559 transaction."""
    return sign_typed_tx(key, 2, [chain_id, nonce, 1, 2_000_000_000, gas, to, 0, data, []])


def blob_tx(key: PrivateKey, chain_id: int, nonce: int, to: bytes, hashes: Sequence[bytes]) -> bytes:
    """A signed EIP-4844 transaction (no calldata) carrying ``hashes``."""
    fields: list[object] = [chain_id, nonce, 1, 2_000_000_000, 100_000, to, 0, b"", [], 1, list(hashes)]
    return sign_typed_tx(key, 3, fields)


def l2_user_tx(nonce: int, data: bytes = b"") -> bytes:
    """A signed L2 EIP-1559 transaction usable in singular and span batches."""
    return dynamic_fee_tx(L2_USER_KEY, L2_CHAIN_ID, nonce, b"\x42" * 20, data, gas=21_000 + 16 * len(data))


def compress_channel(batches: Sequence[SingleBatch | SpanBatch], algo: str = "zlib") -> bytes:
    """Channel data: the RLP strings of the encoded batches, zlib or (Fjord) versioned brotli."""
    raw = b"".join(rlp_encode(encode_batch(b)) for b in batches)
    if algo == "zlib":
        return compress_zlib(raw)
    if algo == "brotli":
        return compress_brotli(raw)
    raise ValueError(f"unknown compression {algo!r}")


def channel_id(n: int) -> bytes:
    return n.to_bytes(16, "big")


def channel_frames(
    batches: Sequence[SingleBatch | SpanBatch], cid: bytes, *, algo: str = "zlib", frame_size: int = 100_000
) -> list[Frame]:
    """Compress ``batches`` into one channel and split it into frames of at most ``frame_size`` bytes."""
    data = compress_channel(batches, algo)
    chunks = [data[i : i + frame_size] for i in range(0, len(data), frame_size)] or [b""]
    return [Frame(cid, i, chunk, i == len(chunks) - 1) for i, chunk in enumerate(chunks)]


def blank_header(**fields: Any) -> Header:
    """A post-merge header with empty contents: zero hashes, parent, beneficiary, bloom, difficulty,
    nonce and gas used, the empty ommers and trie roots, a 30M gas limit, no extra data; ``fields``
    set the rest (and override any of these). Optional fields are absent unless given."""
    values: dict[str, Any] = {
        "parent_hash": HASH_ZERO,
        "ommers_hash": EMPTY_OMMERS_HASH,
        "beneficiary": b"\x00" * 20,
        "state_root": HASH_ZERO,
        "transactions_root": EMPTY_ROOT_HASH,
        "receipts_root": EMPTY_ROOT_HASH,
        "logs_bloom": b"\x00" * 256,
        "difficulty": 0,
        "number": 0,
        "gas_limit": 30_000_000,
        "gas_used": 0,
        "timestamp": 0,
        "extra_data": b"",
        "mix_hash": HASH_ZERO,
        "nonce": b"\x00" * 8,
    }
    values.update(fields)
    return Header(**values)


def scenario_rollup_config(genesis: ChainGenesis, l1_chain_id: int, **overrides: Any) -> RollupConfig:
    """The rollup config of a test chain on ``genesis``: 2 s blocks, short sequencing window and
    channel timeouts, every fork up to Holocene at genesis, the kit's batch inbox and L1 contracts.

    ``overrides`` are rollup-config fields (fork times, seq_window_size, channel_timeout, …).
    """
    fields: dict[str, Any] = {
        "genesis": genesis,
        "block_time": 2,
        "max_sequencer_drift": 600,
        "seq_window_size": 8,
        "channel_timeout": 10,
        "granite_channel_timeout": 4,
        "l1_chain_id": l1_chain_id,
        "l2_chain_id": L2_CHAIN_ID,
        "regolith_time": 0,
        "canyon_time": 0,
        "delta_time": 0,
        "ecotone_time": 0,
        "fjord_time": 0,
        "granite_time": 0,
        "holocene_time": 0,
        "batch_inbox_address": BATCH_INBOX,
        "deposit_contract_address": DEPOSIT_CONTRACT,
        "l1_system_config_address": SYSTEM_CONFIG_ADDRESS,
    }
    fields.update(overrides)
    return RollupConfig(**fields)


@dataclass
class Scenario:
    """An L1 chain, an L2 chain at genesis and the pipeline over them."""

    config: RollupConfig
    l1: InMemoryChainProvider = field(default_factory=InMemoryChainProvider)
    blobs: InMemoryBlobProvider = field(default_factory=InMemoryBlobProvider)
    l2: InMemoryL2ChainProvider = field(default_factory=InMemoryL2ChainProvider)
    l1_time: int = 12
    nonces: dict[bytes, int] = field(default_factory=dict)

    @classmethod
    def create(cls, *, l1_genesis_time: int = 1_000_000, **overrides: object) -> Scenario:
        """A chain whose L1 genesis block is #0 at ``l1_genesis_time`` and L2 genesis at the same time.

        ``overrides`` are rollup-config fields (fork times, seq_window_size, channel_timeout, …).
        """
        l1_genesis = blank_header(
            timestamp=l1_genesis_time,
            mix_hash=keccak256(b"randao 0"),
            base_fee_per_gas=7,
            withdrawals_root=EMPTY_ROOT_HASH,
            blob_gas_used=0,
            excess_blob_gas=0,
            parent_beacon_block_root=keccak256(b"beacon 0"),
        )
        system_config = SystemConfig(
            batcher_address=address_of(BATCHER_KEY),
            overhead=0,
            scalar=(1 << 248) | 1368,
            gas_limit=30_000_000,
            base_fee_scalar=1368,
            blob_base_fee_scalar=810949,
        )
        l2_genesis_hash = keccak256(b"l2 genesis")
        genesis = ChainGenesis(
            l1=BlockID(l1_genesis.hash(), 0),
            l2=BlockID(l2_genesis_hash, 0),
            l2_time=l1_genesis_time,
            system_config=system_config,
        )
        config = scenario_rollup_config(genesis, L1_CHAIN_ID, **overrides)
        scenario = cls(config)
        scenario.l1.add_block(L1Block(l1_genesis))
        genesis_info = L2BlockInfo(
            BlockInfo(l2_genesis_hash, 0, HASH_ZERO, l1_genesis_time), BlockID(l1_genesis.hash(), 0), 0
        )
        scenario.l2.add_block(genesis_info, system_config, L2Block(l1_genesis, ()))
        return scenario

    # --- L1 -------------------------------------------------------------------------------------
    def l1_head(self) -> L1Block:
        return self.l1.blocks[self.l1.canonical[max(self.l1.canonical)]]

    def l1_block(self, number: int) -> L1Block:
        return self.l1.blocks[self.l1.canonical[number]]

    def add_l1_block(
        self,
        transactions: Sequence[bytes] = (),
        receipts: Sequence[Receipt] | None = None,
        *,
        blobs: Sequence[bytes] = (),
        parent: L1Block | None = None,
        timestamp: int | None = None,
        salt: bytes = b"",
        canonical: bool = True,
    ) -> L1Block:
        """Append an L1 block on ``parent`` (default: the head); receipts default to one successful
        receipt without logs per transaction. ``blobs`` are the blobs (in order) of its blob txs."""
        parent = parent or self.l1_head()
        number = parent.header.number + 1
        header = replace(
            parent.header,
            parent_hash=parent.hash,
            number=number,
            timestamp=timestamp if timestamp is not None else parent.header.timestamp + self.l1_time,
            mix_hash=keccak256(b"randao %d" % number + salt),
            parent_beacon_block_root=keccak256(b"beacon %d" % number + salt),
            transactions_root=keccak256(b"".join(transactions) + salt),
            _hash=None,
        )
        if receipts is None:
            receipts = [Receipt(1, 21_000 * (i + 1), ()) for i in range(len(transactions))]
        sidecars = tuple((versioned_hash(b), b) for b in blobs)
        block = L1Block(header, tuple(transactions), tuple(receipts), sidecars)
        self.l1.add_block(block, canonical=canonical)
        self.blobs.add_block(block)
        return block

    def add_empty_l1_blocks(self, count: int) -> None:
        for _ in range(count):
            self.add_l1_block()

    def _nonce(self, key: PrivateKey) -> int:
        address = address_of(key)
        nonce = self.nonces.get(address, 0)
        self.nonces[address] = nonce + 1
        return nonce

    def batcher_tx(
        self, frames: Sequence[Frame], *, key: PrivateKey = BATCHER_KEY, to: bytes | None = None
    ) -> bytes:
        """A signed calldata batcher transaction carrying ``frames``."""
        return dynamic_fee_tx(key, L1_CHAIN_ID, self._nonce(key), to or BATCH_INBOX, encode_frames(frames))

    def blob_batcher_tx(
        self, frame_groups: Sequence[Sequence[Frame]], *, key: PrivateKey = BATCHER_KEY
    ) -> tuple[bytes, list[bytes]]:
        """A signed blob batcher transaction: one blob per frame group. Returns (tx, blobs)."""
        blobs = [encode_blob(encode_frames(group)) for group in frame_groups]
        tx = blob_tx(key, L1_CHAIN_ID, self._nonce(key), BATCH_INBOX, [versioned_hash(b) for b in blobs])
        return tx, blobs

    # --- L2 -------------------------------------------------------------------------------------
    def l2_head(self) -> L2BlockInfo:
        return self.l2.entries[max(self.l2.entries)].info

    def l2_block(self, number: int) -> L2BlockInfo:
        return self.l2.entries[number].info

    def single_batch(
        self,
        parent: L2BlockInfo,
        epoch: L1Block,
        transactions: Sequence[bytes] = (),
        *,
        timestamp: int | None = None,
    ) -> SingleBatch:
        ts = parent.timestamp + self.config.block_time if timestamp is None else timestamp
        return SingleBatch(parent.hash, epoch.header.number, epoch.hash, ts, tuple(transactions))

    def span_batch(self, batches: Sequence[SingleBatch], first_seq_num: int = 0) -> SpanBatch:
        return SpanBatch.from_singular_batches(
            batches, self.config.genesis.l2_time, self.config.l2_chain_id, first_seq_num=first_seq_num
        )

    def apply(self, derived: OpPayloadAttributesWithParent) -> L2BlockInfo:
        """The engine: turn derived attributes into the next safe L2 block and record it."""
        attributes = derived.attributes
        parent = derived.parent
        _, info = decode_l1_info_tx(attributes.transactions[0])
        origin = BlockID(info.hash, info.number)
        block_hash = keccak256(rlp_encode([parent.hash, attributes.timestamp, list(attributes.transactions)]))
        l2_info = L2BlockInfo(
            BlockInfo(block_hash, parent.number + 1, parent.hash, attributes.timestamp),
            origin,
            info.sequence_number,
        )
        system_config = self.l2.entries[parent.number].system_config
        if origin.number != parent.l1_origin.number:
            block = self.l1.block(origin.hash)
            system_config = apply_system_config_logs(
                system_config, list(block.receipts), self.config, block.info()
            )
        self.l2.add_block(l2_info, system_config, L2Block(self.l1_block(0).header, attributes.transactions))
        return l2_info

    def pipeline(self) -> DerivationPipeline:
        return (
            PipelineBuilder(self.config)
            .chain_provider(self.l1)
            .l2_chain_provider(self.l2)
            .blob_provider(self.blobs)
            .build()
        )

    async def derive(
        self, pipeline: DerivationPipeline | None = None, *, reset: bool = True, limit: int = 1000
    ) -> list[OpPayloadAttributesWithParent]:
        """Derive as many L2 blocks as L1 allows from the current L2 head, applying each."""
        from mauna.derive.signals import Signal

        pipeline = pipeline or self.pipeline()
        if reset:
            await pipeline.signal(Signal.RESET, self.l2_head())
        out: list[OpPayloadAttributesWithParent] = []
        for _ in range(limit):
            derived = await pipeline.run_until_attributes(self.l2_head())
            if derived is None:
                break
            out.append(derived)
            self.apply(derived)
        return out


def versioned_hash(blob: bytes) -> bytes:
    """A stand-in versioned hash for in-memory blobs: ``0x01 ‖ sha256(blob)[1:]`` (the in-memory
    blob provider does not check KZG commitments; the online providers do)."""
    return b"\x01" + hashlib.sha256(blob).digest()[1:]


def deposit_receipt(logs: Sequence[Log], status: int = 1) -> Receipt:
    return Receipt(status, 100_000, tuple(logs))


__all__ = [
    "BATCHER_KEY",
    "BATCH_INBOX",
    "DEPOSIT_CONTRACT",
    "L2_CHAIN_ID",
    "OTHER_KEY",
    "SYSTEM_CONFIG_ADDRESS",
    "Scenario",
    "address_of",
    "blank_header",
    "blob_tx",
    "channel_frames",
    "channel_id",
    "compress_channel",
    "deposit_receipt",
    "dynamic_fee_tx",
    "kzg_to_versioned_hash",
    "l2_user_tx",
    "scenario_rollup_config",
    "sign_typed_tx",
    "versioned_hash",
]
