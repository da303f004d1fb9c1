"""Oracle-backed L1 data for derivation: headers, transactions, receipts and blobs.

Spec: fault-proof/index.md "Main content" (the read-only L1 chain is backed by the pre-image
oracle; ``l1_head`` is its tip; by-number queries walk the header chain down from it) and the
hint routes ``l1-block-header``, ``l1-transactions``, ``l1-receipts`` and ``l1-blob``. Every piece
of data is fetched by keccak-256 (or SHA-256 / blob) key and so is authenticated by ``l1_head``:
headers by their hash, transactions and receipts through the tries their header commits to.
Hint data layouts are kona's (kona-proof ``OracleL1ChainProvider`` / ``OracleBlobProvider``).
"""

from __future__ import annotations

import structlog

from mauna.derive.errors import ProviderError
from mauna.derive.providers import IndexedBlobHash
from mauna.preimage.blob import read_blob
from mauna.preimage.hints import Hinter, HintType
from mauna.preimage.keys import keccak256_key
from mauna.preimage.oracle import PreimageOracle
from mauna.primitives.block import BlockInfo
from mauna.primitives.header import Header
from mauna.primitives.receipt import Receipt
from mauna.proof.headers import read_header
from mauna.proof.receipts import decode_receipt
from mauna.proof.trie_walk import walk_ordered_list

log = structlog.get_logger(__name__)


class OracleL1ChainProvider:
    """The L1 chain up to ``l1_head``, read through the oracle.

    A :class:`~mauna.derive.providers.ChainProvider`.
    """

    def __init__(self, l1_head: bytes, oracle: PreimageOracle, hinter: Hinter) -> None:
        self.l1_head = bytes(l1_head)
        self.oracle = oracle
        self.hinter = hinter
        self._headers: dict[bytes, Header] = {}
        self._by_number: dict[int, BlockInfo] = {}
        self._head: Header | None = None

    # -- helpers ---------------------------------------------------------------------------------
    def header(self, block_hash: bytes) -> Header:
        """The header with this hash (hint ``l1-block-header``, then its keccak-256 pre-image)."""
        block_hash = bytes(block_hash)
        cached = self._headers.get(block_hash)
        if cached is not None:
            return cached
        self.hinter.hint(HintType.L1_BLOCK_HEADER, block_hash)
        header = read_header(self.oracle, block_hash, "L1")
        self._headers[block_hash] = header
        return header

    def _node(self, node_hash: bytes) -> bytes:
        return self.oracle.get(keccak256_key(node_hash))

    # -- ChainProvider -----------------------------------------------------------------------------
    async def header_by_hash(self, block_hash: bytes) -> Header:
        return self.header(block_hash)

    async def block_info_by_number(self, number: int) -> BlockInfo:
        cached = self._by_number.get(number)
        if cached is not None:
            return cached
        if self._head is None:
            self._head = self.header(self.l1_head)
        if number > self._head.number:
            # Past the L1 head: derivation has run out of L1 data (a temporary "not yet" for the
            # pipeline, which the driver reads as the end of the data).
            raise ProviderError(f"L1 block #{number} is past the L1 head #{self._head.number}")
        lower = [n for n in self._by_number if n >= number]
        header = self.header(self._by_number[min(lower)].hash) if lower else self._head
        while True:
            info = header.block_info()
            self._by_number[info.number] = info
            if header.number <= number:
                break
            header = self.header(header.parent_hash)
        return self._by_number[number]

    async def receipts_by_hash(self, block_hash: bytes) -> list[Receipt]:
        header = self.header(block_hash)
        self.hinter.hint(HintType.L1_RECEIPTS, bytes(block_hash))
        raws = walk_ordered_list(header.receipts_root, self._node)
        return [decode_receipt(r, f"receipt {i} of L1 block #{header.number}") for i, r in enumerate(raws)]

    async def block_info_and_transactions_by_hash(self, block_hash: bytes) -> tuple[BlockInfo, list[bytes]]:
        header = self.header(block_hash)
        self.hinter.hint(HintType.L1_TRANSACTIONS, bytes(block_hash))
        return header.block_info(), walk_ordered_list(header.transactions_root, self._node)


class OracleBlobProvider:
    """Blobs through the oracle (a :class:`~mauna.derive.providers.BlobProvider`).

    Sends ``l1-blob`` with kona's 48-byte data ``versioned hash ‖ uint64 index ‖ uint64 timestamp``,
    then reads the commitment and the 4096 field elements and checks the blob against the
    commitment (:func:`mauna.preimage.blob.read_blob`).
    """

    def __init__(self, oracle: PreimageOracle, hinter: Hinter) -> None:
        self.oracle = oracle
        self.hinter = hinter

    async def get_blobs(self, block_ref: BlockInfo, blob_hashes: list[IndexedBlobHash]) -> list[bytes]:
        out = []
        for indexed in blob_hashes:
            data = indexed.hash + indexed.index.to_bytes(8, "big") + block_ref.timestamp.to_bytes(8, "big")
            self.hinter.hint(HintType.L1_BLOB, data)
            out.append(read_blob(self.oracle, indexed.hash))
            log.debug("blob read", hash="0x" + indexed.hash.hex(), l1_block=block_ref.number)
        return out
