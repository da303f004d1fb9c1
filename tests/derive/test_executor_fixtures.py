"""The attributes builder reproduces the real OP Sepolia payload attributes of the executor fixtures.

For each fixture the L1 origin header is rebuilt from the block's own L1-info deposit (number,
time, base fee, hash, blob base fee) and the payload (prevRandao, parent beacon root); the system
config from the L1-info deposit, the gas limit and the parent's Holocene extraData. The builder must
then produce exactly the fixture's first transaction and attribute fields.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trio

from mauna.derive.attributes_builder import StatefulAttributesBuilder
from mauna.derive.memory import InMemoryChainProvider, InMemoryL2ChainProvider, L1Block
from mauna.derive.testing import blank_header
from mauna.executor.attributes import OpPayloadAttributes
from mauna.genesis.blob_schedule import l1_info_blob_base_fee
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.primitives.header import Header
from mauna.protocol.l1_info import L1BlockInfoEcotone, decode_l1_info_tx

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
FIXTURES = sorted((KONA / "executor").glob("block-*.json"))


def _excess_blob_gas_for(cfg: RollupConfig, l1_time: int, blob_base_fee: int) -> int:
    hi = 1
    while l1_info_blob_base_fee(cfg, l1_time, hi) < blob_base_fee:
        hi *= 2
    lo = 0
    while lo < hi:
        mid = (lo + hi) // 2
        if l1_info_blob_base_fee(cfg, l1_time, mid) < blob_base_fee:
            lo = mid + 1
        else:
            hi = mid
    assert l1_info_blob_base_fee(cfg, l1_time, lo) == blob_base_fee
    return lo


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_builder_matches_fixture_attributes(path: Path) -> None:
    fixture = json.loads(path.read_text())
    cfg = RollupConfig.from_kona_json(fixture["rollup_config"])
    parent_header = Header.from_rpc(fixture["parent_header"])
    expected = OpPayloadAttributes.from_json(fixture["executing_payload"])
    _, info = decode_l1_info_tx(expected.transactions[0])
    assert isinstance(info, L1BlockInfoEcotone)

    l1_parent_hash = keccak256(b"l1 parent of " + info.hash)
    l1_header = blank_header(
        parent_hash=l1_parent_hash,
        ommers_hash=HASH_ZERO,
        transactions_root=HASH_ZERO,
        receipts_root=HASH_ZERO,
        number=info.number,
        gas_limit=36_000_000,
        timestamp=info.time,
        mix_hash=expected.prev_randao,
        base_fee_per_gas=info.base_fee,
        withdrawals_root=HASH_ZERO,
        blob_gas_used=0,
        excess_blob_gas=_excess_blob_gas_for(cfg, info.time, info.blob_base_fee),
        parent_beacon_block_root=expected.parent_beacon_block_root,
        _hash=info.hash,
    )
    l1 = InMemoryChainProvider()
    l1.add_block(L1Block(l1_header))

    extra = parent_header.extra_data
    assert extra[0] == 0 and len(extra) == 9  # Holocene extraData: version 0, denominator, elasticity
    system_config = SystemConfig(
        batcher_address=info.batcher_hash[12:],
        gas_limit=parent_header.gas_limit,
        base_fee_scalar=info.base_fee_scalar,
        blob_base_fee_scalar=info.blob_base_fee_scalar,
        eip1559_denominator=int.from_bytes(extra[1:5], "big"),
        eip1559_elasticity=int.from_bytes(extra[5:9], "big"),
    )
    if info.sequence_number == 0:
        parent_origin = BlockID(l1_parent_hash, info.number - 1)
        parent_seq = 7
    else:
        parent_origin = BlockID(info.hash, info.number)
        parent_seq = info.sequence_number - 1
    parent = L2BlockInfo(
        BlockInfo(
            parent_header.hash(), parent_header.number, parent_header.parent_hash, parent_header.timestamp
        ),
        parent_origin,
        parent_seq,
    )
    l2 = InMemoryL2ChainProvider()
    l2.add_block(parent, system_config)

    builder = StatefulAttributesBuilder(cfg, l1, l2)
    built = trio.run(builder.prepare_payload_attributes, parent, BlockID(info.hash, info.number))

    assert built.transactions[0] == expected.transactions[0]
    assert built.timestamp == expected.timestamp
    assert built.prev_randao == expected.prev_randao
    assert built.suggested_fee_recipient == expected.suggested_fee_recipient
    assert built.parent_beacon_block_root == expected.parent_beacon_block_root
    assert built.gas_limit == expected.gas_limit
    assert built.eip1559_params == expected.eip1559_params
    assert built.withdrawals == ()
    assert built.no_tx_pool is True
    assert built.min_base_fee is None
    # No user deposits in the rebuilt origin, no upgrade in these blocks: only the L1-info deposit.
    assert built.transactions == expected.transactions[:1]
