"""Reading an L2 block's ref and system config back from its L1-info tx and extraData, on the real
OP Sepolia blocks of the executor fixtures."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from mauna.derive.errors import CriticalError
from mauna.derive.l2_block import l2_block_info_from_block, system_config_from_block
from mauna.derive.providers import L2Block
from mauna.executor.attributes import OpPayloadAttributes
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockID
from mauna.primitives.header import Header
from mauna.protocol.l1_info import decode_l1_info_tx

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
FIXTURE = json.loads((KONA / "executor" / "block-26207961.json").read_text())


def block_and_config() -> tuple[L2Block, RollupConfig]:
    cfg = RollupConfig.from_kona_json(FIXTURE["rollup_config"])
    attrs = OpPayloadAttributes.from_json(FIXTURE["executing_payload"])
    parent = Header.from_rpc(FIXTURE["parent_header"])
    # A header for the executed block: the parent's shape at the payload's time and gas limit.
    header = replace(
        parent, number=parent.number + 1, timestamp=attrs.timestamp, parent_hash=parent.hash(), _hash=None
    )
    return L2Block(header, attrs.transactions), cfg


def test_l2_block_info_from_l1_info_tx() -> None:
    block, cfg = block_and_config()
    _, info = decode_l1_info_tx(block.transactions[0])
    ref = l2_block_info_from_block(block, cfg)
    assert ref.number == block.header.number and ref.hash == block.header.hash()
    assert ref.l1_origin == BlockID(info.hash, info.number)
    assert ref.seq_num == info.sequence_number == 1


def test_system_config_from_block() -> None:
    block, cfg = block_and_config()
    config = system_config_from_block(block, cfg)
    _, info = decode_l1_info_tx(block.transactions[0])
    assert config.batcher_address == info.batcher_hash[12:]
    assert (config.base_fee_scalar, config.blob_base_fee_scalar) == (
        info.base_fee_scalar,
        info.blob_base_fee_scalar,
    )
    assert config.scalar == (1 << 248) | (info.blob_base_fee_scalar << 32) | info.base_fee_scalar
    assert config.gas_limit == block.header.gas_limit == 60_000_000
    assert (config.eip1559_denominator, config.eip1559_elasticity) == (250, 6)
    assert config.min_base_fee is None


def test_bad_extra_data_is_critical() -> None:
    block, cfg = block_and_config()
    bad = L2Block(replace(block.header, extra_data=b"\x01" * 9, _hash=None), block.transactions)
    with pytest.raises(CriticalError):
        system_config_from_block(bad, cfg)


def test_block_without_l1_info_is_critical() -> None:
    block, cfg = block_and_config()
    with pytest.raises(CriticalError):
        l2_block_info_from_block(L2Block(block.header, ()), cfg)
    with pytest.raises(CriticalError):
        system_config_from_block(L2Block(block.header, (block.transactions[1],)), cfg)
