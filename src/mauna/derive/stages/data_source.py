"""Data sources: the batcher transactions' data of one L1 block, calldata or blobs.

Spec: protocol/derivation.md "L1 Retrieval" (a batcher transaction is sent to the batch inbox by
the batcher address recovered from its signature; types 0, 1, 2, 3 or 0x7E) and
protocol/ecotone/derivation.md "Ecotone: Blob Retrieval" (from Ecotone, by L1 block timestamp, blob
transactions carry their data in blobs, other batcher transactions still in calldata; blob indices
count every blob of the block, including those of non-batcher transactions).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import structlog

from mauna.derive.errors import EndOfData
from mauna.derive.l1_tx import BLOB_TX_TYPE, DEPOSIT_TX_TYPE, L1Transaction, decode_l1_transaction
from mauna.derive.providers import BlobProvider, ChainProvider, IndexedBlobHash
from mauna.errors import ProtocolError, TransactionError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import to_hex

log = structlog.get_logger(__name__)

BATCHER_TX_TYPES = frozenset({0, 1, 2, BLOB_TX_TYPE, DEPOSIT_TX_TYPE})


def batcher_transactions(
    raw_txs: list[bytes], block: BlockInfo, inbox: bytes, batcher: bytes
) -> list[tuple[int, L1Transaction | None]]:
    """Decode ``raw_txs``; pair each with itself if it is a valid batcher transaction, else ``None``.

    Returns ``(blob_count, tx_or_None)`` for every transaction so that blob indices can be counted.
    """
    out: list[tuple[int, L1Transaction | None]] = []
    for i, raw in enumerate(raw_txs):
        try:
            tx = decode_l1_transaction(raw)
        except TransactionError as exc:
            log.warning("undecodable L1 transaction skipped", l1_block=block.number, index=i, error=str(exc))
            out.append((0, None))
            continue
        blobs = len(tx.blob_versioned_hashes)
        if tx.to != inbox or tx.tx_type not in BATCHER_TX_TYPES:
            out.append((blobs, None))
            continue
        if tx.sender != batcher:
            log.warning(
                "batch inbox transaction from unauthorized sender",
                l1_block=block.number,
                tx=to_hex(tx.tx_hash),
                sender=None if tx.sender is None else to_hex(tx.sender),
            )
            out.append((blobs, None))
            continue
        out.append((blobs, tx))
    return out


class CalldataSource:
    """Batcher data from transaction calldata (before Ecotone)."""

    def __init__(self, provider: ChainProvider, rollup_config: RollupConfig) -> None:
        self.provider = provider
        self.rollup_config = rollup_config
        self.data: deque[bytes] = deque()
        self.open = False

    async def _load(self, block: BlockInfo, batcher: bytes) -> None:
        _, raw_txs = await self.provider.block_info_and_transactions_by_hash(block.hash)
        inbox = self.rollup_config.batch_inbox_address
        self.data = deque(
            tx.data for _, tx in batcher_transactions(raw_txs, block, inbox, batcher) if tx is not None
        )
        self.open = True

    async def next(self, block: BlockInfo, batcher: bytes) -> bytes:
        if not self.open:
            await self._load(block, batcher)
        if not self.data:
            raise EndOfData()
        return self.data.popleft()

    def clear(self) -> None:
        self.data.clear()
        self.open = False


@dataclass(slots=True)
class _BlobOrCalldata:
    calldata: bytes | None = None
    blob: bytes | None = None
    blob_hash: IndexedBlobHash | None = None


class BlobSource:
    """Batcher data from blobs and calldata (from Ecotone)."""

    def __init__(
        self, provider: ChainProvider, blob_provider: BlobProvider, rollup_config: RollupConfig
    ) -> None:
        self.provider = provider
        self.blob_provider = blob_provider
        self.rollup_config = rollup_config
        self.data: deque[_BlobOrCalldata] = deque()
        self.open = False

    async def _load(self, block: BlockInfo, batcher: bytes) -> None:
        _, raw_txs = await self.provider.block_info_and_transactions_by_hash(block.hash)
        inbox = self.rollup_config.batch_inbox_address
        items: list[_BlobOrCalldata] = []
        hashes: list[IndexedBlobHash] = []
        index = 0
        for blob_count, tx in batcher_transactions(raw_txs, block, inbox, batcher):
            if tx is None:
                index += blob_count
                continue
            if tx.tx_type != BLOB_TX_TYPE:
                items.append(_BlobOrCalldata(calldata=tx.data))
                continue
            if tx.data:
                log.warning("blob batcher transaction has calldata, ignored", tx=to_hex(tx.tx_hash))
            for versioned_hash in tx.blob_versioned_hashes:
                indexed = IndexedBlobHash(index, versioned_hash)
                hashes.append(indexed)
                items.append(_BlobOrCalldata(blob_hash=indexed))
                index += 1
        if hashes:
            blobs = await self.blob_provider.get_blobs(block, hashes)
            if len(blobs) != len(hashes):
                from mauna.derive.errors import ProviderError

                raise ProviderError(
                    f"blob provider returned {len(blobs)} blobs for {len(hashes)} hashes "
                    f"of L1 block #{block.number}"
                )
            it = iter(blobs)
            for item in items:
                if item.blob_hash is not None:
                    item.blob = next(it)
        self.data = deque(items)
        self.open = True

    async def next(self, block: BlockInfo, batcher: bytes) -> bytes:
        from mauna.protocol.blobs import decode_blob

        if not self.open:
            await self._load(block, batcher)
        while self.data:
            item = self.data.popleft()
            if item.calldata is not None:
                return item.calldata
            assert item.blob is not None
            try:
                return decode_blob(item.blob)
            except ProtocolError as exc:
                index = item.blob_hash.index if item.blob_hash else -1
                log.warning("invalid blob skipped", l1_block=block.number, blob_index=index, error=str(exc))
        raise EndOfData()

    def clear(self) -> None:
        self.data.clear()
        self.open = False


class EthereumDataSource:
    """Calldata before Ecotone, blobs and calldata from Ecotone (by the L1 block timestamp)."""

    def __init__(
        self, provider: ChainProvider, blob_provider: BlobProvider | None, rollup_config: RollupConfig
    ) -> None:
        self.rollup_config = rollup_config
        self.calldata = CalldataSource(provider, rollup_config)
        self.blobs = BlobSource(provider, blob_provider, rollup_config) if blob_provider else None

    async def next(self, block: BlockInfo, batcher: bytes) -> bytes:
        if self.rollup_config.is_ecotone_active(block.timestamp):
            if self.blobs is None:
                from mauna.derive.errors import CriticalError

                raise CriticalError(f"L1 block #{block.number} is past Ecotone but no blob provider is set")
            return await self.blobs.next(block, batcher)
        return await self.calldata.next(block, batcher)

    def clear(self) -> None:
        self.calldata.clear()
        if self.blobs is not None:
            self.blobs.clear()
