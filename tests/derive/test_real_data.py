"""Real OP Mainnet batcher data through the derivation stages.

- ``derive/raw_batcher_tx.hex``: a real EIP-1559 batcher transaction (OP Mainnet batcher
  0x6887…2985 to the inbox 0xff00…0010), in an in-memory L1 block, through L1 traversal, the
  calldata source, the frame queue, the channel bank and the channel reader.
- ``derive/batch.hex``: a real zlib channel holding one span batch, through the channel reader.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import trio

from mauna.derive.errors import EndOfData, NotEnoughData
from mauna.derive.memory import InMemoryChainProvider, L1Block
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.channel_mux import ChannelMux
from mauna.derive.stages.channel_reader import ChannelReader
from mauna.derive.stages.data_source import EthereumDataSource
from mauna.derive.stages.frame_queue import FrameQueue
from mauna.derive.stages.l1_retrieval import L1Retrieval
from mauna.derive.stages.l1_traversal import L1Traversal
from mauna.derive.testing import Scenario
from mauna.genesis.registry import load_chain
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import keccak256
from mauna.protocol.batch import SingleBatch, SpanBatch

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
SPAN_BLOCK_COUNT = 27
SPAN_START = 1_710_338_157
SPAN_START_EPOCH = 19_426_582
SPAN_END_EPOCH = 19_426_585
SPAN_TX_COUNT = 209
OP_MAINNET_BATCHER = bytes.fromhex("6887246668a3b87f54deb3b94ba47a6f63f32985")


@pytest.fixture(scope="module")
def op_mainnet() -> RollupConfig:
    return load_chain("op-mainnet").rollup_config


def _stages(cfg: RollupConfig, l1: InMemoryChainProvider) -> tuple[L1Traversal, ChannelReader]:
    traversal = L1Traversal(l1, cfg)
    frames = FrameQueue(L1Retrieval(traversal, EthereumDataSource(l1, None, cfg)), cfg)
    return traversal, ChannelReader(ChannelMux(frames, cfg), cfg)


async def _read_batches(reader: ChannelReader) -> list[SingleBatch | SpanBatch]:
    out: list[SingleBatch | SpanBatch] = []
    while True:
        try:
            out.append(await reader.next_batch())
        except NotEnoughData:
            continue
        except EndOfData:
            return out


def test_raw_batcher_tx_through_stages(op_mainnet: RollupConfig) -> None:
    raw = (KONA / "derive" / "raw_batcher_tx.hex").read_bytes()
    # An L1 block before Ecotone (calldata source) but after Delta (span batches accepted).
    timestamp = op_mainnet.ecotone_time - 12 if op_mainnet.ecotone_time else 0
    assert op_mainnet.is_delta_active(timestamp) and not op_mainnet.is_ecotone_active(timestamp)
    header = replace(Scenario.create().l1_block(0).header, number=19_000_000, timestamp=timestamp, _hash=None)
    l1 = InMemoryChainProvider()
    block = L1Block(header, (b"\x02\xc0", raw))  # an undecodable tx first: skipped
    l1.add_block(block)
    system_config = replace(op_mainnet.genesis.system_config, batcher_address=OP_MAINNET_BATCHER)
    traversal, reader = _stages(op_mainnet, l1)

    async def run() -> list[SingleBatch | SpanBatch]:
        await reader.signal(StageSignal(Signal.RESET, None, block.info(), system_config))
        return await _read_batches(reader)

    batches = trio.run(run)
    assert traversal.origin() == block.info()
    assert traversal.batcher_address == OP_MAINNET_BATCHER
    assert len(batches) == 1
    [span] = batches
    assert isinstance(span, SpanBatch)
    assert span.block_count == SPAN_BLOCK_COUNT
    assert span.starting_timestamp() == SPAN_START
    assert span.starting_epoch_num() == SPAN_START_EPOCH
    assert span.batches[-1].epoch_num == SPAN_END_EPOCH
    assert span.tx_count() == SPAN_TX_COUNT


def test_raw_batcher_tx_wrong_batcher_yields_nothing(op_mainnet: RollupConfig) -> None:
    raw = (KONA / "derive" / "raw_batcher_tx.hex").read_bytes()
    header = replace(Scenario.create().l1_block(0).header, number=1, timestamp=op_mainnet.genesis.l2_time)
    l1 = InMemoryChainProvider()
    block = L1Block(header, (raw,))
    l1.add_block(block)
    _, reader = _stages(op_mainnet, l1)

    async def run() -> list[SingleBatch | SpanBatch]:
        config = replace(op_mainnet.genesis.system_config, batcher_address=b"\x01" * 20)
        await reader.signal(StageSignal(Signal.RESET, None, block.info(), config))
        return await _read_batches(reader)

    assert trio.run(run) == []


class _ChannelSource:
    """A channel stage stand-in that hands out one channel's data once."""

    def __init__(self, data: bytes, origin: BlockInfo) -> None:
        self.data: bytes | None = data
        self._origin = origin

    def origin(self) -> BlockInfo:
        return self._origin

    async def advance_origin(self) -> None:
        raise EndOfData()

    async def next_data(self) -> bytes:
        if self.data is None:
            raise EndOfData()
        data, self.data = self.data, None
        return data

    def flush(self) -> None:
        pass

    async def signal(self, signal: StageSignal) -> None:
        pass


def test_batch_hex_channel_through_channel_reader(op_mainnet: RollupConfig) -> None:
    data = bytes.fromhex((KONA / "derive" / "batch.hex").read_text().strip())
    origin = BlockInfo(keccak256(b"origin"), 20_089_800, keccak256(b"parent"), 1_718_365_000)
    assert op_mainnet.is_delta_active(origin.timestamp) and not op_mainnet.is_fjord_active(origin.timestamp)
    reader = ChannelReader(_ChannelSource(data, origin), op_mainnet)  # type: ignore[arg-type]
    batches = trio.run(_read_batches, reader)
    assert len(batches) == 1
    [span] = batches
    assert isinstance(span, SpanBatch)
    assert span.block_count == 143
    assert span.tx_count() == 1766
    assert span.starting_timestamp() == op_mainnet.genesis.l2_time + 32_295_734
    assert [b.timestamp for b in span.batches] == [span.starting_timestamp() + 2 * i for i in range(143)]
    assert span.starting_epoch_num() == 20_089_746
    assert span.batches[-1].epoch_num == 20_089_770
    assert span.parent_check.hex() == "ba1be7cfde4724e81290aa5ae3c082731ce44823"
    assert span.l1_origin_check.hex() == "4bd8da85bfabf4daa6a3f294d3d51dd927c6cbcb"


def test_batch_hex_span_rejected_before_delta(op_mainnet: RollupConfig) -> None:
    data = bytes.fromhex((KONA / "derive" / "batch.hex").read_text().strip())
    cfg = replace(
        op_mainnet,
        delta_time=2_000_000_000,
        ecotone_time=None,
        fjord_time=None,
        granite_time=None,
        holocene_time=None,
        isthmus_time=None,
        jovian_time=None,
    )
    origin = BlockInfo(keccak256(b"origin"), 20_089_800, keccak256(b"parent"), 1_718_365_000)
    reader = ChannelReader(_ChannelSource(data, origin), cfg)  # type: ignore[arg-type]
    assert trio.run(_read_batches, reader) == []
