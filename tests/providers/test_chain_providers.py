"""OnlineL1ChainProvider / OnlineL2ChainProvider over httpx.MockTransport, and the JSON → bytes
re-encoding of transactions (deposits included) and receipts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from anvil_util import block_to_rpc, make_l2_header, tx_to_rpc
from mauna.derive.l2_block import l2_block_info_from_block
from mauna.derive.providers import L2Block
from mauna.derive.testing import Scenario, l2_user_tx
from mauna.mpt.ordered import ordered_trie_root
from mauna.primitives.bytes import from_hex, keccak256, to_hex
from mauna.primitives.header import Header
from mauna.protocol.deposits import DepositTx
from mauna.protocol.l1_info import l1_info_deposit_from_header
from mauna.providers import (
    MalformedResponseError,
    OnlineL1ChainProvider,
    OnlineL2ChainProvider,
    RetryPolicy,
    RpcClient,
)
from mauna.providers.rpc_types import (
    UnsupportedTransactionTypeError,
    encode_rpc_receipt,
    encode_rpc_transaction,
    strip_blob_sidecar,
)

FIXTURES = Path(__file__).parents[1] / "fixtures/kona/hardforks-bytecode"
URL = "http://node.test"


def serve(methods: dict[str, Callable[[list[Any]], Any]]) -> httpx.MockTransport:
    def answer(call: dict[str, Any]) -> dict[str, Any]:
        method = call["method"]
        if method not in methods:
            error = {"code": -32601, "message": f"the method {method} does not exist/is not available"}
            return {"jsonrpc": "2.0", "id": call["id"], "error": error}
        return {"jsonrpc": "2.0", "id": call["id"], "result": methods[method](call["params"])}

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json=[answer(c) for c in body] if isinstance(body, list) else answer(body))

    return httpx.MockTransport(handler)


def rpc(methods: dict[str, Callable[[list[Any]], Any]]) -> RpcClient:
    return RpcClient(URL, retry=RetryPolicy(retries=0), transport=serve(methods))


# --- re-encoding ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ecotone_tx_0.hex", "ecotone_tx_3.hex", "fjord_tx_0.hex"])
def test_deposit_json_reencodes_exactly(name: str) -> None:
    raw = bytes.fromhex(FIXTURES.joinpath(name).read_text().strip().removeprefix("0x"))
    assert encode_rpc_transaction(tx_to_rpc(raw)) == raw


def test_deposit_json_defaults_and_system_flag() -> None:
    deposit = DepositTx(b"\x01" * 32, b"\x02" * 20, None, 0, 5, 90_000, True, b"\xde\xad")
    obj = tx_to_rpc(deposit.encode())
    del obj["mint"]  # op-geth omits a zero mint
    assert obj["to"] is None and obj["isSystemTx"] is True
    assert encode_rpc_transaction(obj) == deposit.encode()


def test_eip1559_json_reencodes_exactly() -> None:
    raw = l2_user_tx(3, b"\x01\x02")
    assert encode_rpc_transaction(tx_to_rpc(raw)) == raw


def test_unsupported_type_and_sidecar_stripping() -> None:
    with pytest.raises(UnsupportedTransactionTypeError, match="type 0x64"):
        encode_rpc_transaction({"type": "0x64", "hash": "0x00"})
    raw = l2_user_tx(1)
    assert strip_blob_sidecar(raw) == raw


def test_receipt_encoding_matches_a_known_root() -> None:
    receipt = {
        "type": "0x2",
        "status": "0x1",
        "cumulativeGasUsed": "0x5208",
        "logsBloom": "0x" + "00" * 256,
        "logs": [{"address": "0x" + "11" * 20, "topics": ["0x" + "22" * 32], "data": "0x3344"}],
    }
    encoded = encode_rpc_receipt(receipt)
    assert encoded[0] == 2
    legacy = dict(receipt, type="0x0")
    assert encode_rpc_receipt(legacy) == encoded[1:]


# --- L2 -------------------------------------------------------------------------------------------
def l2_block_one() -> tuple[Scenario, L2Block]:
    s = Scenario.create()
    l1_genesis = s.l1_block(0).header
    system_config = s.l2.entries[0].system_config
    _, info = l1_info_deposit_from_header(
        s.config, system_config, 1, l1_genesis, s.config.genesis.l2_time + 2
    )
    txs = (info.encode(), l2_user_tx(0))
    header = make_l2_header(
        s.config.genesis.l2.hash, 1, s.config.genesis.l2_time + 2, l1_genesis.mix_hash, HASH, txs
    )
    return s, L2Block(header, txs)


HASH = b"\x5a" * 32


def test_l2_provider_reads_blocks_refs_and_system_config() -> None:
    s, block = l2_block_one()
    seen: list[list[Any]] = []

    def by_number(params: list[Any]) -> Any:
        seen.append(params)
        return block_to_rpc(block) if int(params[0], 16) == 1 else None

    async def main() -> None:
        async with rpc({"eth_getBlockByNumber": by_number}) as client:
            l2 = OnlineL2ChainProvider(client, s.config)
            assert await l2.block_by_number(1) == block
            info = await l2.l2_block_info_by_number(1)
            assert info == l2_block_info_from_block(block, s.config)
            assert info.l1_origin.number == 0 and info.seq_num == 1
            config = await l2.system_config_by_number(1, s.config)
            assert config.batcher_address == s.config.genesis.system_config.batcher_address  # type: ignore[union-attr]
            assert (config.eip1559_denominator, config.eip1559_elasticity) == (250, 6)
            from mauna.providers import BlockNotFoundError

            with pytest.raises(BlockNotFoundError, match="L2 block #2 not found"):
                await l2.block_by_number(2)

    trio.run(main)
    assert seen[0] == ["0x1", True] and len(seen) == 2  # block 1 cached by number


def test_l2_transaction_that_does_not_reencode_is_fetched_raw() -> None:
    s, block = l2_block_one()
    obj = block_to_rpc(block)
    obj["transactions"][0]["mint"] = "0x1"  # a node that reports a wrong field
    raw_requests: list[str] = []

    def raw_by_hash(params: list[Any]) -> str:
        raw_requests.append(params[0])
        return to_hex(block.transactions[0])

    async def main() -> L2Block:
        methods = {"eth_getBlockByNumber": lambda p: obj, "eth_getRawTransactionByHash": raw_by_hash}
        async with rpc(methods) as client:
            return await OnlineL2ChainProvider(client, s.config).block_by_number(1)

    assert trio.run(main) == block
    assert raw_requests == [to_hex(keccak256(block.transactions[0]))]


def test_l2_header_hash_mismatch_is_malformed() -> None:
    s, block = l2_block_one()
    obj = block_to_rpc(block)
    obj["hash"] = "0x" + "00" * 32

    async def main() -> None:
        async with rpc({"eth_getBlockByNumber": lambda p: obj}) as client:
            await OnlineL2ChainProvider(client, s.config).block_by_number(1)

    with pytest.raises(MalformedResponseError, match="header hashes to"):
        trio.run(main)


# --- L1 -------------------------------------------------------------------------------------------
def l1_block() -> tuple[Header, list[bytes], list[dict[str, Any]]]:
    s = Scenario.create()
    txs = [l2_user_tx(0), l2_user_tx(1)]
    receipts = [
        {
            "type": "0x2",
            "status": "0x1",
            "cumulativeGasUsed": hex(21_000 * (i + 1)),
            "logsBloom": "0x" + "00" * 256,
            "logs": [],
            "transactionHash": to_hex(keccak256(tx)),
        }
        for i, tx in enumerate(txs)
    ]
    from dataclasses import replace

    header = replace(
        s.l1_block(0).header,
        number=5,
        transactions_root=ordered_trie_root(txs),
        receipts_root=ordered_trie_root([encode_rpc_receipt(r) for r in receipts]),
        _hash=None,
    )
    for r in receipts:
        r["blockHash"] = to_hex(header.hash())
    return header, txs, receipts


def l1_methods(
    header: Header, txs: list[bytes], receipts: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    def by_hash(params: list[Any]) -> Any:
        if from_hex(params[0]) != header.hash():
            return None
        obj = header.to_rpc()
        obj["transactions"] = (
            [tx_to_rpc(t) for t in txs] if params[1] else [to_hex(keccak256(t)) for t in txs]
        )
        return obj

    receipt_by_tx = {r["transactionHash"]: r for r in receipts}
    return {
        "eth_getBlockByHash": by_hash,
        "eth_getTransactionReceipt": lambda p: receipt_by_tx.get(p[0]),
        **extra,
    }


def test_l1_receipts_fall_back_to_per_transaction_calls() -> None:
    header, txs, receipts = l1_block()
    methods = l1_methods(header, txs, receipts)  # no eth_getBlockReceipts

    async def main() -> None:
        async with rpc(methods) as client:
            l1 = OnlineL1ChainProvider(client)
            info, raw = await l1.block_info_and_transactions_by_hash(header.hash())
            assert raw == txs and info == header.block_info()
            got = await l1.receipts_by_hash(header.hash())
            assert [r.cumulative_gas_used for r in got] == [21_000, 42_000]
            assert l1._block_receipts is False

    trio.run(main)


def test_l1_receipts_root_mismatch_is_malformed() -> None:
    header, txs, receipts = l1_block()
    bad = [dict(r, cumulativeGasUsed="0x1") for r in receipts]
    methods = l1_methods(header, txs, receipts, eth_getBlockReceipts=lambda p: bad)

    async def main() -> None:
        async with rpc(methods) as client:
            await OnlineL1ChainProvider(client).receipts_by_hash(header.hash())

    with pytest.raises(MalformedResponseError, match="receipts give root"):
        trio.run(main)


def test_l1_transactions_root_mismatch_is_malformed() -> None:
    header, txs, receipts = l1_block()
    methods = l1_methods(header, [*txs, l2_user_tx(9)], receipts)

    async def main() -> None:
        async with rpc(methods) as client:
            await OnlineL1ChainProvider(client).block_info_and_transactions_by_hash(header.hash())

    with pytest.raises(MalformedResponseError, match="transactions give root"):
        trio.run(main)
