"""OnlineL1ChainProvider against anvil: exact re-encoding of every transaction type, receipts (both
RPC paths) checked against the receipts root, and typed errors for missing blocks."""

from __future__ import annotations

import pytest
import trio
from coincurve import PrivateKey

from anvil_util import (
    BATCHER_KEY,
    DEPOSIT_CONTRACT,
    DEPOSITOR_KEY,
    STRANGER_KEY,
    AnvilChain,
    address_of,
    sign_typed,
    user_deposit,
)
from mauna.devtools.anvil import Anvil
from mauna.primitives.bytes import from_hex, keccak256
from mauna.primitives.rlp_utils import rlp_encode
from mauna.protocol.blobs import encode_blob
from mauna.protocol.deposits import DEPOSIT_EVENT_TOPIC, decode_deposit_log
from mauna.providers import BlockNotFoundError, OnlineL1ChainProvider, RetryPolicy, RpcClient
from mauna.providers.rpc_types import strip_blob_sidecar

FAST = RetryPolicy(retries=1, backoff=0.0)
TO = b"\x55" * 20


def legacy_tx(key: PrivateKey, chain_id: int, nonce: int) -> bytes:
    fields: list[object] = [nonce, 2 * 10**9, 50_000, TO, 7, b"legacy"]
    digest = keccak256(rlp_encode([*fields, chain_id, 0, 0]))
    sig = key.sign_recoverable(digest, hasher=None)
    v = 35 + 2 * chain_id + sig[64]
    return rlp_encode([*fields, v, int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big")])


def authorization(key: PrivateKey, chain_id: int, address: bytes, nonce: int) -> list[object]:
    sig = key.sign_recoverable(keccak256(b"\x05" + rlp_encode([chain_id, address, nonce])), hasher=None)
    return [
        chain_id,
        address,
        nonce,
        sig[64],
        int.from_bytes(sig[:32], "big"),
        int.from_bytes(sig[32:64], "big"),
    ]


def test_every_transaction_type_reencodes_exactly(anvil: Anvil) -> None:
    chain = AnvilChain.create(anvil)
    cid = anvil.chain_id
    access_list = [[b"\x66" * 20, [b"\x01" * 32, b"\x02" * 32]]]
    txs = [
        legacy_tx(BATCHER_KEY, cid, 0),
        sign_typed(BATCHER_KEY, 1, [cid, 1, 2 * 10**9, 60_000, TO, 1, b"\x01\x02", access_list]),
        sign_typed(BATCHER_KEY, 2, [cid, 2, 10**9, 3 * 10**9, 60_000, b"", 0, b"\x60\x00", []]),
        sign_typed(
            BATCHER_KEY,
            4,
            [
                cid,
                3,
                10**9,
                3 * 10**9,
                100_000,
                TO,
                0,
                b"",
                access_list,
                [authorization(STRANGER_KEY, cid, TO, 0)],
            ],
        ),
    ]
    chain.nonces[address_of(BATCHER_KEY)] = 4
    txs.append(chain.blob_tx(DEPOSITOR_KEY, TO, [encode_blob(b"one"), encode_blob(b"two")]))
    header = chain.mine(txs)

    async def main() -> None:
        async with RpcClient(anvil.url, retry=FAST) as rpc:
            l1 = OnlineL1ChainProvider(rpc)
            info, raw = await l1.block_info_and_transactions_by_hash(header.hash())
            assert info == header.block_info()
            expected = {keccak256(t): t for t in (strip_blob_sidecar(t) for t in txs)}
            assert len(raw) == 5 and {keccak256(r): r for r in raw} == expected
            for tx in raw:
                answer = await rpc.call("eth_getRawTransactionByHash", ["0x" + keccak256(tx).hex()])
                assert strip_blob_sidecar(from_hex(answer)) == tx
            assert await l1.header_by_hash(header.hash()) == header
            assert await l1.block_info_by_number(header.number) == header.block_info()
            receipts = await l1.receipts_by_hash(header.hash())
            assert [r.tx_type for r in receipts] == [t[0] if t[0] < 0xC0 else 0 for t in raw]
            assert sorted(r.tx_type for r in receipts) == [0, 1, 2, 3, 4]
            assert all(r.status == 1 for r in receipts)

    trio.run(main)


def test_receipts_with_logs_via_both_rpc_paths(anvil: Anvil) -> None:
    chain = AnvilChain.create(anvil)
    deposits = [user_deposit(b"\x00" * 32, i, i + 1) for i in range(3)]
    header = chain.mine([chain.deposit_tx(d) for d in deposits])

    async def main() -> None:
        async with RpcClient(anvil.url, retry=FAST) as rpc:
            block_receipts = await OnlineL1ChainProvider(rpc).receipts_by_hash(header.hash())
            fallback = OnlineL1ChainProvider(rpc)
            fallback._block_receipts = False  # as if eth_getBlockReceipts were not served
            per_tx = await fallback.receipts_by_hash(header.hash())
        assert block_receipts == per_tx
        logs = [log for r in block_receipts for log in r.logs]
        assert [log.address for log in logs] == [DEPOSIT_CONTRACT] * 3
        assert all(log.topics[0] == DEPOSIT_EVENT_TOPIC for log in logs)
        decoded = [decode_deposit_log(log, header.hash(), i) for i, log in enumerate(logs)]
        assert [(d.from_, d.to, d.mint, d.value, d.gas, d.data) for d in decoded] == [
            (d.from_, d.to, d.mint, d.value, d.gas, d.data) for d in deposits
        ]

    trio.run(main)


def test_missing_blocks_are_typed_errors(anvil: Anvil) -> None:
    async def main() -> None:
        async with RpcClient(anvil.url, retry=FAST) as rpc:
            l1 = OnlineL1ChainProvider(rpc)
            with pytest.raises(BlockNotFoundError, match="#1000"):
                await l1.block_info_by_number(1000)
            with pytest.raises(BlockNotFoundError, match="0x1111"):
                await l1.header_by_hash(b"\x11" * 32)
            with pytest.raises(BlockNotFoundError):
                await l1.block_info_and_transactions_by_hash(b"\x11" * 32)

    trio.run(main)
