"""Online L1 and L2 chain providers over JSON-RPC.

:class:`OnlineL1ChainProvider` implements :class:`~mauna.derive.providers.ChainProvider` and
:class:`OnlineL2ChainProvider` implements :class:`~mauna.derive.providers.L2ChainProvider` (as
op-node's ``L1Client`` / ``L2Client`` and kona's ``AlloyChainProvider`` /
``AlloyL2ChainProvider`` do).

Everything read is checked before use: a header must hash to the hash the node reports (and to the
hash asked for), transactions re-encoded from their JSON objects must hash to their ``hash`` and
together to the header's ``transactionsRoot``, L1 receipts must give the header's
``receiptsRoot``. Transactions whose type cannot be re-encoded, or whose re-encoding does not
match, are fetched raw with ``eth_getRawTransactionByHash``. A failed check raises
:class:`~mauna.providers.errors.MalformedResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog

from mauna.derive.l2_block import l2_block_info_from_block, system_config_from_block
from mauna.derive.providers import L2Block
from mauna.errors import DecodeError
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.mpt.ordered import ordered_trie_root
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.primitives.bytes import from_hex, keccak256, to_hex
from mauna.primitives.header import Header
from mauna.primitives.receipt import Receipt
from mauna.providers.errors import BlockNotFoundError, MalformedResponseError, RpcMethodNotFoundError
from mauna.providers.http import LruCache
from mauna.providers.rpc import RpcClient
from mauna.providers.rpc_types import (
    UnsupportedTransactionTypeError,
    encode_rpc_receipt,
    encode_rpc_transaction,
    receipt_from_rpc,
    strip_blob_sidecar,
)

log = structlog.get_logger(__name__)


class _BlockReader:
    """Fetching and checking blocks (shared by the L1 and L2 providers)."""

    def __init__(self, rpc: RpcClient, layer: str, *, verify: bool) -> None:
        self.rpc = rpc
        self.layer = layer
        self.verify = verify

    def malformed(self, method: str, message: str) -> MalformedResponseError:
        return MalformedResponseError(f"{self.layer} {message}", method=method, url=self.rpc.url)

    async def fetch(self, method: str, params: Sequence[Any], what: str) -> dict[str, Any]:
        obj = await self.rpc.call(method, params)
        if obj is None:
            raise BlockNotFoundError(f"{self.layer} block {what} not found ({method} @ {self.rpc.url})")
        if not isinstance(obj, dict):
            raise self.malformed(method, f"block {what}: expected an object, got {type(obj).__name__}")
        return obj

    def header(self, method: str, obj: Mapping[str, Any], expected_hash: bytes | None = None) -> Header:
        try:
            header = Header.from_rpc(dict(obj))
            reported = from_hex(obj["hash"], length=32, what="block.hash") if obj.get("hash") else None
        except DecodeError as exc:
            raise self.malformed(method, f"block: {exc}") from exc
        computed = header.hash()
        if reported is not None and reported != computed:
            raise self.malformed(
                method,
                f"block #{header.number}: header hashes to {to_hex(computed)} but the node reports "
                f"{to_hex(reported)} (a header field this decoder does not know?)",
            )
        if expected_hash is not None and computed != expected_hash:
            raise self.malformed(
                method, f"block asked for {to_hex(expected_hash)} but got #{header.number} {to_hex(computed)}"
            )
        return header

    async def transactions(self, method: str, obj: Mapping[str, Any], header: Header) -> list[bytes]:
        items = obj.get("transactions")
        if not isinstance(items, list):
            raise self.malformed(method, f"block #{header.number}: missing transactions list")
        raw: list[bytes | None] = []
        refetch: list[tuple[int, str]] = []
        for i, tx in enumerate(items):
            if not isinstance(tx, dict):
                raise self.malformed(method, f"block #{header.number}: transaction {i} is not an object")
            tx_hash = tx.get("hash")
            try:
                encoded = encode_rpc_transaction(tx)
            except UnsupportedTransactionTypeError:
                encoded = None
            except DecodeError as exc:
                raise self.malformed(method, f"block #{header.number}: {exc}") from exc
            if encoded is not None and tx_hash is not None and to_hex(keccak256(encoded)) != tx_hash.lower():
                log.warning(
                    "re-encoded transaction does not match its hash; fetching it raw",
                    layer=self.layer,
                    block=header.number,
                    index=i,
                    tx=tx_hash,
                )
                encoded = None
            if encoded is None:
                if not isinstance(tx_hash, str):
                    raise self.malformed(method, f"block #{header.number}: transaction {i} has no hash")
                refetch.append((i, tx_hash))
            raw.append(encoded)
        if refetch:
            answers = await self.rpc.batch(
                [("eth_getRawTransactionByHash", [h]) for _, h in refetch], cache=True
            )
            for (i, tx_hash), answer in zip(refetch, answers, strict=True):
                if not isinstance(answer, str):
                    raise self.malformed(
                        "eth_getRawTransactionByHash", f"block #{header.number}: no raw transaction {tx_hash}"
                    )
                try:
                    tx_bytes = strip_blob_sidecar(from_hex(answer, what="raw transaction"))
                except DecodeError as exc:
                    raise self.malformed("eth_getRawTransactionByHash", f"{tx_hash}: {exc}") from exc
                if to_hex(keccak256(tx_bytes)) != tx_hash.lower():
                    raise self.malformed(
                        "eth_getRawTransactionByHash", f"raw transaction does not hash to {tx_hash}"
                    )
                raw[i] = tx_bytes
        out = [r for r in raw if r is not None]
        if self.verify:
            root = ordered_trie_root(out)
            if root != header.transactions_root and not await self._sidecar_root_matches(out, header):
                raise self.malformed(
                    method,
                    f"block #{header.number}: transactions give root {to_hex(root)}, header has "
                    f"{to_hex(header.transactions_root)}",
                )
        return out

    async def _sidecar_root_matches(self, txs: list[bytes], header: Header) -> bool:
        """Whether the root matches when blob transactions are taken in their network form (with
        blobs, commitments and proofs). anvil 1.7.1 commits to that form; consensus clients do not."""
        blob_positions = [i for i, tx in enumerate(txs) if tx[:1] == b"\x03"]
        if not blob_positions:
            return False
        answers = await self.rpc.batch(
            [("eth_getRawTransactionByHash", [to_hex(keccak256(txs[i]))]) for i in blob_positions], cache=True
        )
        network = list(txs)
        for i, answer in zip(blob_positions, answers, strict=True):
            if not isinstance(answer, str):
                return False
            try:
                wrapped = from_hex(answer, what="raw transaction")
                if strip_blob_sidecar(wrapped) != txs[i]:
                    return False
            except DecodeError:
                return False
            network[i] = wrapped
        if ordered_trie_root(network) != header.transactions_root:
            return False
        log.warning(
            "transactions root commits to blob transactions with their sidecars (non-consensus node)",
            layer=self.layer,
            block=header.number,
            url=self.rpc.url,
        )
        return True


class OnlineL1ChainProvider:
    """The L1 chain over JSON-RPC (an execution client, or anvil in tests)."""

    def __init__(self, rpc: RpcClient, *, verify: bool = True, cache_size: int = 512) -> None:
        self.rpc = rpc
        self._reader = _BlockReader(rpc, "L1", verify=verify)
        self._headers: LruCache[bytes, Header] = LruCache(cache_size)
        self._blocks: LruCache[bytes, tuple[BlockInfo, list[bytes]]] = LruCache(cache_size)
        self._receipts: LruCache[bytes, list[Receipt]] = LruCache(cache_size)
        self._block_receipts: bool | None = None

    async def header_by_hash(self, block_hash: bytes) -> Header:
        block_hash = bytes(block_hash)
        cached = self._headers.get(block_hash)
        if cached is not None:
            return cached
        method = "eth_getBlockByHash"
        obj = await self._reader.fetch(method, [to_hex(block_hash), False], to_hex(block_hash))
        header = self._reader.header(method, obj, block_hash)
        self._headers.put(block_hash, header)
        return header

    async def block_info_by_number(self, number: int) -> BlockInfo:
        method = "eth_getBlockByNumber"
        obj = await self._reader.fetch(method, [hex(number), False], f"#{number}")
        header = self._reader.header(method, obj)
        if header.number != number:
            raise self._reader.malformed(method, f"asked for block #{number}, got #{header.number}")
        self._headers.put(header.hash(), header)
        return header.block_info()

    async def block_info_and_transactions_by_hash(self, block_hash: bytes) -> tuple[BlockInfo, list[bytes]]:
        block_hash = bytes(block_hash)
        cached = self._blocks.get(block_hash)
        if cached is not None:
            return cached[0], list(cached[1])
        method = "eth_getBlockByHash"
        obj = await self._reader.fetch(method, [to_hex(block_hash), True], to_hex(block_hash))
        header = self._reader.header(method, obj, block_hash)
        self._headers.put(block_hash, header)
        txs = await self._reader.transactions(method, obj, header)
        self._blocks.put(block_hash, (header.block_info(), txs))
        return header.block_info(), list(txs)

    async def receipts_by_hash(self, block_hash: bytes) -> list[Receipt]:
        block_hash = bytes(block_hash)
        cached = self._receipts.get(block_hash)
        if cached is not None:
            return list(cached)
        header = await self.header_by_hash(block_hash)
        objects = await self._receipt_objects(block_hash, header)
        try:
            receipts = [receipt_from_rpc(o) for o in objects]
            if self._reader.verify:
                root = ordered_trie_root([encode_rpc_receipt(o) for o in objects])
                if root != header.receipts_root:
                    raise self._reader.malformed(
                        "eth_getBlockReceipts",
                        f"block #{header.number}: receipts give root {to_hex(root)}, header has "
                        f"{to_hex(header.receipts_root)}",
                    )
        except DecodeError as exc:
            raise self._reader.malformed("eth_getBlockReceipts", f"block #{header.number}: {exc}") from exc
        self._receipts.put(block_hash, receipts)
        return list(receipts)

    async def _receipt_objects(self, block_hash: bytes, header: Header) -> list[dict[str, Any]]:
        if self._block_receipts is not False:
            try:
                result = await self.rpc.call("eth_getBlockReceipts", [to_hex(block_hash)])
            except RpcMethodNotFoundError:
                log.info(
                    "eth_getBlockReceipts not supported; using eth_getTransactionReceipt", url=self.rpc.url
                )
                self._block_receipts = False
            else:
                self._block_receipts = True
                if result is None:
                    raise BlockNotFoundError(
                        f"L1 receipts of block #{header.number} {to_hex(block_hash)} not found"
                    )
                return self._check_receipt_list("eth_getBlockReceipts", result, header)
        obj = await self._reader.fetch("eth_getBlockByHash", [to_hex(block_hash), False], to_hex(block_hash))
        hashes = obj.get("transactions")
        if not isinstance(hashes, list) or any(not isinstance(h, str) for h in hashes):
            raise self._reader.malformed(
                "eth_getBlockByHash", f"block #{header.number}: bad transaction hashes"
            )
        if not hashes:
            return []
        answers = await self.rpc.batch([("eth_getTransactionReceipt", [h]) for h in hashes], cache=True)
        for tx_hash, answer in zip(hashes, answers, strict=True):
            if answer is None:
                raise BlockNotFoundError(f"L1 receipt of {tx_hash} (block #{header.number}) not found")
        return self._check_receipt_list("eth_getTransactionReceipt", answers, header)

    def _check_receipt_list(self, method: str, result: Any, header: Header) -> list[dict[str, Any]]:
        if not isinstance(result, list) or any(not isinstance(r, dict) for r in result):
            raise self._reader.malformed(
                method, f"block #{header.number}: expected a list of receipt objects"
            )
        block_hash = to_hex(header.hash())
        for receipt in result:
            reported = receipt.get("blockHash")
            if isinstance(reported, str) and reported.lower() != block_hash:
                raise self._reader.malformed(
                    method, f"receipt of block {reported} returned for block #{header.number} {block_hash}"
                )
        return list(result)


class OnlineL2ChainProvider:
    """The L2 chain over JSON-RPC (op-geth / op-reth), read by number.

    Blocks are cached by number (``cache_size``): the pipeline reads the safe chain, which only
    changes on a reset; call :meth:`clear_cache` after one. A block without a readable L1-info
    transaction raises :class:`~mauna.derive.errors.CriticalError` (from :mod:`mauna.derive.l2_block`).
    """

    def __init__(
        self, rpc: RpcClient, rollup_config: RollupConfig, *, verify: bool = True, cache_size: int = 128
    ) -> None:
        self.rpc = rpc
        self.rollup_config = rollup_config
        self._reader = _BlockReader(rpc, "L2", verify=verify)
        self._blocks: LruCache[int, L2Block] = LruCache(cache_size)

    def clear_cache(self) -> None:
        self._blocks.clear()

    async def block_by_number(self, number: int) -> L2Block:
        cached = self._blocks.get(number)
        if cached is not None:
            return cached
        method = "eth_getBlockByNumber"
        obj = await self._reader.fetch(method, [hex(number), True], f"#{number}")
        header = self._reader.header(method, obj)
        if header.number != number:
            raise self._reader.malformed(method, f"asked for block #{number}, got #{header.number}")
        txs = await self._reader.transactions(method, obj, header)
        block = L2Block(header, tuple(txs))
        self._blocks.put(number, block)
        return block

    async def l2_block_info_by_number(self, number: int) -> L2BlockInfo:
        block = await self.block_by_number(number)
        return l2_block_info_from_block(block, self.rollup_config)

    async def system_config_by_number(self, number: int, rollup_config: RollupConfig) -> SystemConfig:
        block = await self.block_by_number(number)
        return system_config_from_block(block, rollup_config)


__all__ = ["OnlineL1ChainProvider", "OnlineL2ChainProvider"]
