"""Unit tests of single stages: frame queue pruning, channel bank, channel assembler, L1 traversal,
L1 retrieval and the in-memory providers."""

from __future__ import annotations

from dataclasses import replace

import pytest
import trio

from mauna.derive.errors import (
    CriticalError,
    EndOfData,
    HoloceneActivationError,
    NotEnoughData,
    ProviderError,
    ReorgError,
)
from mauna.derive.memory import InMemoryBlobProvider, InMemoryChainProvider, InMemoryL2ChainProvider
from mauna.derive.providers import BlobProvider, ChainProvider, IndexedBlobHash, L2ChainProvider
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.channel_assembler import ChannelAssembler
from mauna.derive.stages.channel_bank import ChannelBank
from mauna.derive.stages.frame_queue import prune_frames_holocene
from mauna.derive.stages.l1_traversal import L1Traversal
from mauna.derive.testing import OTHER_KEY, SYSTEM_CONFIG_ADDRESS, Scenario, address_of
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import keccak256
from mauna.primitives.receipt import Receipt
from mauna.protocol.frames import Frame
from mauna.protocol.system_config_logs import BatcherUpdate, GasLimitUpdate, encode_config_update_log

A, B, C = (bytes([n]) * 16 for n in (0xA, 0xB, 0xC))


def f(cid: bytes, number: int, last: bool = False, data: bytes = b"x") -> Frame:
    return Frame(cid, number, data, last)


def key(frames: list[Frame]) -> list[tuple[int, int, bool]]:
    return [(fr.channel_id[0], fr.number, fr.is_last) for fr in frames]


# --- frame queue (Holocene pruning) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("frames", "kept"),
    [
        ([f(A, 0), f(A, 1), f(A, 2, True)], [(0xA, 0, False), (0xA, 1, False), (0xA, 2, True)]),
        ([f(A, 0), f(A, 2)], [(0xA, 0, False)]),  # gap: non-consecutive frame dropped
        ([f(A, 0, True), f(A, 1)], [(0xA, 0, True)]),  # frame after the closing frame
        ([f(A, 0, True), f(B, 1)], [(0xA, 0, True)]),  # non-first frame of a new channel
        ([f(A, 0), f(A, 1), f(B, 0), f(B, 1, True)], [(0xB, 0, False), (0xB, 1, True)]),  # unclosed A
        (
            [f(A, 0, True), f(B, 0), f(B, 1, True), f(C, 0)],
            [(0xA, 0, True), (0xB, 0, False), (0xB, 1, True), (0xC, 0, False)],
        ),
        ([f(A, 1), f(A, 2, True)], [(0xA, 1, False), (0xA, 2, True)]),  # first in queue kept as is
    ],
    ids=["in_order", "gap", "after_close", "non_first_new_channel", "unclosed_replaced", "multi", "head"],
)
def test_prune_frames_holocene(frames: list[Frame], kept: list[tuple[int, int, bool]]) -> None:
    assert key(prune_frames_holocene(frames)) == kept


# --- channel bank / assembler with a scripted frame source ------------------------------------------
class FrameSource:
    def __init__(self, origin: BlockInfo) -> None:
        self.frames: list[Frame] = []
        self.current = origin

    def origin(self) -> BlockInfo:
        return self.current

    async def advance_origin(self) -> None:
        self.current = BlockInfo(
            keccak256(self.current.hash),
            self.current.number + 1,
            self.current.hash,
            self.current.timestamp + 12,
        )

    async def next_frame(self) -> Frame:
        if not self.frames:
            raise EndOfData()
        return self.frames.pop(0)

    async def signal(self, signal: StageSignal) -> None:
        self.frames.clear()


ORIGIN = BlockInfo(keccak256(b"o"), 100, keccak256(b"p"), 2_000_000)


def cfg(**overrides: object) -> RollupConfig:
    return Scenario.create(**overrides).config


async def drain(stage: ChannelBank | ChannelAssembler) -> list[bytes]:
    out = []
    while True:
        try:
            out.append(await stage.next_data())
        except NotEnoughData:
            continue
        except EndOfData:
            return out


def bank(frames: list[Frame], **overrides: object) -> tuple[ChannelBank, FrameSource]:
    source = FrameSource(ORIGIN)
    source.frames = list(frames)
    return ChannelBank(source, cfg(holocene_time=None, **overrides)), source  # type: ignore[arg-type]


def test_channel_bank_out_of_order_frames() -> None:
    stage, _ = bank([f(A, 2, True, b"c"), f(A, 0, data=b"a"), f(A, 1, data=b"b")])
    assert trio.run(drain, stage) == [b"abc"]


def test_channel_bank_duplicate_frame_and_close_dropped() -> None:
    stage, _ = bank([f(A, 0, data=b"a"), f(A, 0, data=b"z"), f(A, 1, True, b"b"), f(A, 1, True, b"y")])
    assert trio.run(drain, stage) == [b"ab"]


def test_channel_bank_closing_frame_prunes_higher_frames() -> None:
    stage, _ = bank([f(A, 3, data=b"d"), f(A, 0, data=b"a"), f(A, 1, True, b"b")])
    assert trio.run(drain, stage) == [b"ab"]


def test_channel_bank_canyon_reads_first_ready_channel() -> None:
    frames = [f(A, 0, data=b"a"), f(B, 0, True, b"b"), f(A, 1, True, b"c")]
    stage, _ = bank(frames)  # Canyon active
    assert trio.run(drain, stage) == [b"b", b"ac"]


def test_channel_bank_pre_canyon_reads_only_first_channel() -> None:
    frames = [f(A, 0, data=b"a"), f(B, 0, True, b"b"), f(A, 1, True, b"c")]
    stage, _ = bank(
        frames, canyon_time=None, delta_time=None, ecotone_time=None, fjord_time=None, granite_time=None
    )
    assert trio.run(drain, stage) == [b"ac", b"b"]


def test_channel_bank_timeout() -> None:
    stage, source = bank([f(A, 0, data=b"a")])
    assert trio.run(drain, stage) == []
    for _ in range(5):  # Granite timeout 4: opened at 100, timed out at 105
        trio.run(source.advance_origin)
    source.frames = [f(A, 1, True, b"b")]
    assert trio.run(drain, stage) == []
    # The timed-out channel was dropped; its late frame opened a new (never complete) channel.
    assert stage.channels[A].open_block.number == 105


def test_channel_bank_prune_by_size() -> None:
    stage, _ = bank([])
    big = b"\x00" * 900_000
    limit = stage.rollup_config.max_channel_bank_size(ORIGIN.timestamp)
    count = limit // (len(big) + 200) + 1
    for i in range(count):
        stage.ingest_frame(Frame(i.to_bytes(16, "big"), 0, big, False))
    assert stage.size() <= limit
    assert next(iter(stage.channels)) == (1).to_bytes(16, "big")  # oldest pruned first


def assembler(frames: list[Frame], **overrides: object) -> tuple[ChannelAssembler, FrameSource]:
    source = FrameSource(ORIGIN)
    source.frames = list(frames)
    return ChannelAssembler(source, cfg(**overrides)), source  # type: ignore[arg-type]


def test_channel_assembler_in_order() -> None:
    stage, _ = assembler([f(A, 0, data=b"a"), f(A, 1, True, b"b")])
    assert trio.run(drain, stage) == [b"ab"]


def test_channel_assembler_new_first_frame_replaces_unfinished_channel() -> None:
    stage, _ = assembler([f(A, 0, data=b"a"), f(B, 0, data=b"x"), f(A, 1, True, b"b"), f(B, 1, True, b"y")])
    assert trio.run(drain, stage) == [b"xy"]


def test_channel_assembler_drops_out_of_order_and_foreign_frames() -> None:
    stage, _ = assembler([f(A, 1, data=b"q"), f(A, 0, data=b"a"), f(A, 2, True, b"c"), f(A, 1, True, b"b")])
    assert trio.run(drain, stage) == [b"ab"]


def test_channel_assembler_timeout() -> None:
    stage, source = assembler([f(A, 0, data=b"a")])
    assert trio.run(drain, stage) == []
    for _ in range(5):
        trio.run(source.advance_origin)
    source.frames = [f(A, 1, True, b"b")]
    assert trio.run(drain, stage) == []


def test_channel_assembler_drops_oversized_channel() -> None:
    data = b"\x00" * 1_000_000
    frames = [Frame(A, i, data, i == 100) for i in range(101)]
    stage, _ = assembler(frames)
    # 100 frames of 1,000,000 bytes plus 200 bytes each exceed MAX_RLP_BYTES_PER_CHANNEL (Fjord).
    assert trio.run(drain, stage) == []
    assert stage.channel is None


# --- L1 traversal ---------------------------------------------------------------------------------
def traversal_scenario() -> tuple[Scenario, L1Traversal]:
    s = Scenario.create(holocene_time=Scenario.create().l1_block(0).header.timestamp + 24)
    traversal = L1Traversal(s.l1, s.config)
    trio.run(
        traversal.signal,
        StageSignal(Signal.RESET, s.l2_head(), s.l1_block(0).info(), s.config.genesis.system_config),
    )
    return s, traversal


def test_traversal_hands_out_origin_once_and_advances() -> None:
    s, traversal = traversal_scenario()
    s.add_l1_block()
    assert trio.run(traversal.next_l1_block) == s.l1_block(0).info()
    with pytest.raises(EndOfData):
        trio.run(traversal.next_l1_block)
    trio.run(traversal.advance_origin)
    assert trio.run(traversal.next_l1_block) == s.l1_block(1).info()


def test_traversal_system_config_update_and_failed_receipt_ignored() -> None:
    s, traversal = traversal_scenario()
    batcher_log = encode_config_update_log(BatcherUpdate(address_of(OTHER_KEY)), SYSTEM_CONFIG_ADDRESS)
    gas_log = encode_config_update_log(GasLimitUpdate(50_000_000), SYSTEM_CONFIG_ADDRESS)
    s.add_l1_block([b"\x00", b"\x01"], [Receipt(1, 1, (batcher_log,)), Receipt(0, 2, (gas_log,))])
    trio.run(traversal.advance_origin)
    assert traversal.batcher_address == address_of(OTHER_KEY)
    assert traversal.system_config.gas_limit == 30_000_000


def test_traversal_reorg_detected() -> None:
    s, traversal = traversal_scenario()
    s.add_l1_block()
    trio.run(traversal.advance_origin)
    s.add_l1_block(parent=s.l1_block(0), salt=b"fork")  # replaces #1
    s.add_l1_block()
    with pytest.raises(ReorgError):
        trio.run(traversal.advance_origin)


def test_traversal_holocene_activation() -> None:
    s, traversal = traversal_scenario()
    s.add_empty_l1_blocks(3)
    trio.run(traversal.advance_origin)
    with pytest.raises(HoloceneActivationError):
        trio.run(traversal.advance_origin)
    assert traversal.origin() == s.l1_block(2).info()
    trio.run(traversal.advance_origin)  # only once


def test_traversal_without_origin_is_critical() -> None:
    traversal = L1Traversal(InMemoryChainProvider(), cfg())
    with pytest.raises(CriticalError):
        trio.run(traversal.advance_origin)


def test_traversal_missing_next_block_is_temporary() -> None:
    _, traversal = traversal_scenario()
    with pytest.raises(ProviderError):
        trio.run(traversal.advance_origin)


# --- in-memory providers ---------------------------------------------------------------------------
def test_providers_satisfy_protocols() -> None:
    assert isinstance(InMemoryChainProvider(), ChainProvider)
    assert isinstance(InMemoryL2ChainProvider(), L2ChainProvider)
    assert isinstance(InMemoryBlobProvider(), BlobProvider)


def test_memory_providers_missing_data() -> None:
    l1, l2, blobs = InMemoryChainProvider(), InMemoryL2ChainProvider(), InMemoryBlobProvider()
    with pytest.raises(ProviderError):
        trio.run(l1.header_by_hash, b"\x00" * 32)
    with pytest.raises(ProviderError):
        trio.run(l1.block_info_by_number, 3)
    with pytest.raises(ProviderError):
        trio.run(l2.l2_block_info_by_number, 3)
    with pytest.raises(ProviderError):
        trio.run(blobs.get_blobs, ORIGIN, [IndexedBlobHash(0, b"\x01" * 32)])


def test_memory_l1_reorg_keeps_old_block_by_hash() -> None:
    s = Scenario.create()
    old = s.add_l1_block()
    new = s.add_l1_block(parent=s.l1_block(0), salt=b"x")
    assert trio.run(s.l1.block_info_by_number, 1) == new.info()
    assert trio.run(s.l1.header_by_hash, old.hash) == old.header
    s.l1.set_canonical(old.hash)
    assert trio.run(s.l1.block_info_by_number, 1) == old.info()
    s.l1.truncate(0)
    with pytest.raises(ProviderError):
        trio.run(s.l1.block_info_by_number, 1)


def test_system_config_by_number() -> None:
    s = Scenario.create()
    config = trio.run(s.l2.system_config_by_number, 0, s.config)
    assert config == s.config.genesis.system_config
    assert isinstance(config, SystemConfig)
    assert replace(config, gas_limit=1) != config


def test_pipeline_without_blob_provider_after_ecotone_is_critical() -> None:
    from mauna.derive.pipeline import PipelineBuilder

    s = Scenario.create()
    s.add_l1_block()
    pipeline = PipelineBuilder(s.config).chain_provider(s.l1).l2_chain_provider(s.l2).build()
    trio.run(pipeline.signal, Signal.RESET, s.l2_head())
    result = trio.run(pipeline.step, s.l2_head())
    assert isinstance(result.error, CriticalError)
