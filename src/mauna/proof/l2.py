"""Oracle-backed L2 chain: prior history from the oracle, new blocks in memory.

Spec: fault-proof/index.md "Main content": prior L2 history is read through the oracle, walking
the header chain down from the agreed ``l2_head``; new chain data (headers, transactions, the
state trie nodes execution writes) accumulates in memory and is preferred over oracle reads.
The hint routes are ``l2-block-header``, ``l2-transactions``, ``l2-code``, ``l2-state-node``,
``l2-account-proof``, ``l2-account-storage-proof`` and ``l2-payload-witness`` with kona's data
layouts (kona-proof ``OracleL2ChainProvider``); the optional chain id suffix is sent only when
``chain_id`` is set (interop).

One object plays three roles: the derivation pipeline's
:class:`~mauna.derive.providers.L2ChainProvider`, and the executor's
:class:`~mauna.mpt.TrieProvider` and :class:`~mauna.mpt.TrieHinter`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from mauna.derive.l2_block import l2_block_info_from_block, system_config_from_block
from mauna.derive.providers import L2Block
from mauna.errors import DecodeError, MissingPreimageError
from mauna.executor.attributes import OpPayloadAttributes
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.preimage.hints import Hinter, HintType
from mauna.preimage.keys import keccak256_key
from mauna.preimage.oracle import PreimageOracle
from mauna.primitives.block import L2BlockInfo
from mauna.primitives.header import Header
from mauna.primitives.rlp_utils import rlp_decode
from mauna.proof.errors import OracleProviderError
from mauna.proof.headers import read_header
from mauna.proof.trie_walk import walk_ordered_list


class OracleL2ChainProvider:
    """The L2 chain from the agreed head back (oracle) and forward (memory)."""

    def __init__(
        self,
        agreed_head_hash: bytes,
        rollup_config: RollupConfig,
        oracle: PreimageOracle,
        hinter: Hinter,
        *,
        chain_id: int | None = None,
    ) -> None:
        self.agreed_head_hash = bytes(agreed_head_hash)
        self.rollup_config = rollup_config
        self.oracle = oracle
        self.hinter = hinter
        self.chain_id = chain_id
        self._headers: dict[bytes, Header] = {}
        self._history: dict[int, bytes] = {}
        self._blocks: dict[int, L2Block] = {}
        self._new: dict[int, L2Block] = {}
        self.nodes: dict[bytes, bytes] = {}
        """Trie nodes and bytecode written by executed blocks, by keccak-256."""
        self._referenced: set[bytes] = set()
        """Hashes committed to by trusted data: header state roots and references in loaded nodes."""

    # -- hints -------------------------------------------------------------------------------------
    def _hint(self, hint_type: HintType, data: bytes) -> None:
        if self.chain_id is not None:
            data += self.chain_id.to_bytes(8, "big")
        self.hinter.hint(hint_type, data)

    # -- new blocks ----------------------------------------------------------------------------------
    def add_block(
        self, header: Header, transactions: tuple[bytes, ...], nodes: Mapping[bytes, bytes]
    ) -> L2BlockInfo:
        """Record a block built on the current head, with the trie nodes its execution wrote."""
        block = L2Block(header, tuple(transactions))
        self._headers[header.hash()] = header
        self._new[header.number] = block
        self.nodes.update(nodes)
        self._referenced.add(header.state_root)
        return l2_block_info_from_block(block, self.rollup_config)

    @property
    def head(self) -> Header:
        """The newest block: the last one built, else the agreed head."""
        if self._new:
            return self._new[max(self._new)].header
        return self.header(self.agreed_head_hash)

    # -- reads ---------------------------------------------------------------------------------------
    def header(self, block_hash: bytes) -> Header:
        block_hash = bytes(block_hash)
        cached = self._headers.get(block_hash)
        if cached is not None:
            return cached
        self._hint(HintType.L2_BLOCK_HEADER, block_hash)
        header = read_header(self.oracle, block_hash, "L2")
        self._headers[block_hash] = header
        self._referenced.add(header.state_root)
        return header

    def header_by_number(self, number: int) -> Header:
        new = self._new.get(number)
        if new is not None:
            return new.header
        known = self._history.get(number)
        if known is not None:
            return self.header(known)
        agreed = self.header(self.agreed_head_hash)
        if number > agreed.number:
            raise OracleProviderError(f"L2 block #{number} is past the head #{self.head.number}")
        lower = [n for n in self._history if n > number]
        header = self.header(self._history[min(lower)]) if lower else agreed
        self._history[header.number] = header.hash()
        while header.number > number:
            header = self.header(header.parent_hash)
            self._history[header.number] = header.hash()
        return header

    async def block_by_number(self, number: int) -> L2Block:
        new = self._new.get(number)
        if new is not None:
            return new
        cached = self._blocks.get(number)
        if cached is not None:
            return cached
        header = self.header_by_number(number)
        self._hint(HintType.L2_TRANSACTIONS, header.hash())
        txs = walk_ordered_list(header.transactions_root, self._node)
        block = L2Block(header, tuple(txs))
        self._blocks[number] = block
        return block

    async def l2_block_info_by_number(self, number: int) -> L2BlockInfo:
        return l2_block_info_from_block(await self.block_by_number(number), self.rollup_config)

    async def system_config_by_number(self, number: int, rollup_config: RollupConfig) -> SystemConfig:
        return system_config_from_block(await self.block_by_number(number), rollup_config)

    def _node(self, node_hash: bytes) -> bytes:
        return self.oracle.get(keccak256_key(node_hash))

    # -- TrieProvider --------------------------------------------------------------------------------
    def trie_node_by_hash(self, node_hash: bytes) -> bytes:
        """A state or storage trie node: from memory, else from the oracle if trusted data refers
        to it. An unreferenced hash cannot be part of any state this program reads (the trie code
        probes such hashes when it discards scratch nodes), so it is reported missing without
        asking the host, which could only fail."""
        node = self.nodes.get(node_hash)
        if node is None:
            if node_hash not in self._referenced:
                raise MissingPreimageError(f"trie node 0x{node_hash.hex()} is not referenced by known state")
            node = self._node(node_hash)
        _collect_references(node, self._referenced, 0)
        return node

    def bytecode_by_hash(self, code_hash: bytes) -> bytes:
        local = self.nodes.get(code_hash)
        if local is not None:
            return local
        self._hint(HintType.L2_CODE, code_hash)
        return self._node(code_hash)

    def header_by_hash(self, block_hash: bytes) -> Header:
        return self.header(block_hash)

    # -- TrieHinter ----------------------------------------------------------------------------------
    def hint_trie_node(self, node_hash: bytes) -> None:
        if node_hash not in self.nodes and node_hash in self._referenced:
            self._hint(HintType.L2_STATE_NODE, node_hash)

    def hint_account_proof(self, address: bytes, block_number: int) -> None:
        self._hint(HintType.L2_ACCOUNT_PROOF, block_number.to_bytes(8, "big") + address)

    def hint_storage_proof(self, address: bytes, slot: int, block_number: int) -> None:
        self._hint(
            HintType.L2_ACCOUNT_STORAGE_PROOF,
            block_number.to_bytes(8, "big") + address + slot.to_bytes(32, "big"),
        )

    def hint_execution_witness(self, parent_hash: bytes, attributes: OpPayloadAttributes) -> None:
        encoded = json.dumps(attributes.to_json(), separators=(",", ":")).encode()
        self._hint(HintType.L2_PAYLOAD_WITNESS, parent_hash + encoded)


def _collect_references(raw: bytes, out: set[bytes], depth: int) -> None:
    """Add every 32-byte string inside the RLP ``raw`` (and inside RLP-list values such as account
    leaves, which carry the storage root) to ``out``."""
    if depth > 3:
        return
    try:
        item = rlp_decode(raw, what="trie node", strict=False)
    except DecodeError:
        return
    stack: list[object] = [item]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, bytes):
            if len(current) == 32:
                out.add(current)
            elif len(current) > 32 and current[0] >= 0xC0:
                _collect_references(current, out, depth + 1)
