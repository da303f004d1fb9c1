"""End-to-end derivation scenarios on in-memory L1 / L2 chains, asserting the exact attributes.

Layout: L1 blocks every 12 s, L2 blocks every 2 s, both starting at T; L2 block n has timestamp
T + 2n, and its epoch is the latest L1 block not after it (6 L2 blocks per epoch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
import trio

from mauna.derive.attributes import SEQUENCER_FEE_VAULT, OpPayloadAttributesWithParent
from mauna.derive.errors import ReorgError
from mauna.derive.memory import L1Block
from mauna.derive.signals import Signal, StepOutcome
from mauna.derive.testing import (
    BATCHER_KEY,
    DEPOSIT_CONTRACT,
    OTHER_KEY,
    SYSTEM_CONFIG_ADDRESS,
    Scenario,
    address_of,
    channel_frames,
    channel_id,
    l2_user_tx,
)
from mauna.primitives.block import L2BlockInfo
from mauna.primitives.receipt import Receipt
from mauna.protocol.batch import SingleBatch
from mauna.protocol.deposits import (
    DepositTx,
    deposits_from_receipts,
    encode_deposit_log,
    user_deposit_source_hash,
)
from mauna.protocol.frames import Frame
from mauna.protocol.l1_info import l1_info_deposit_from_header
from mauna.protocol.system_config_logs import BatcherUpdate, encode_config_update_log

T = 1_000_000


def batch_for(s: Scenario, parent: L2BlockInfo, nonce: int, *, txs: bool = True) -> SingleBatch:
    ts = parent.timestamp + s.config.block_time
    epoch = max((b for b in s.l1.canonical), key=lambda n: n if s.l1_block(n).header.timestamp <= ts else -1)
    epoch_block = s.l1_block(epoch)
    return s.single_batch(parent, epoch_block, [l2_user_tx(nonce)] if txs else [])


def expected_l1_info(s: Scenario, l1: L1Block, seq: int, ts: int) -> bytes:
    system_config = s.l2.entries[0].system_config
    _, tx = l1_info_deposit_from_header(s.config, system_config, seq, l1.header, ts)
    return tx.encode()


def derive(s: Scenario, **kw: object) -> list[OpPayloadAttributesWithParent]:
    return trio.run(lambda: s.derive(**kw))  # type: ignore[arg-type]


def shadow_blocks(s: Scenario, count: int, *, with_txs: bool = True) -> list[SingleBatch]:
    """Batches for L2 blocks 1..count, computed by deriving them on a copy of the scenario whose L1
    carries them one per L1 block is not needed: the block hash only depends on the parent hash,
    timestamp and transactions, so the chain of hashes is computed directly."""
    from mauna.primitives.bytes import keccak256
    from mauna.primitives.rlp_utils import rlp_encode

    out = []
    parent = s.l2_head()
    seq_by_epoch: dict[int, int] = {}
    for n in range(count):
        batch = batch_for(s, parent, n, txs=with_txs)
        epoch_block = s.l1_block(batch.epoch_num)
        seq = 0 if batch.epoch_num != parent.l1_origin.number else parent.seq_num + 1
        seq_by_epoch[batch.epoch_num] = seq
        l1_info = expected_l1_info(s, epoch_block, seq, batch.timestamp)
        deposits = []
        if seq == 0:
            deposits = [
                d.encode()
                for d in deposits_from_receipts(epoch_block.receipts, DEPOSIT_CONTRACT, epoch_block.hash)
            ]
        txs = [l1_info, *deposits, *batch.transactions]
        block_hash = keccak256(rlp_encode([parent.hash, batch.timestamp, txs]))
        from mauna.primitives.block import BlockInfo

        out.append(batch)
        parent = L2BlockInfo(
            BlockInfo(block_hash, parent.number + 1, parent.hash, batch.timestamp),
            epoch_block.info().id(),
            seq,
        )
    return out


def assert_block(
    s: Scenario, derived: OpPayloadAttributesWithParent, batch: SingleBatch, deposits: Sequence[bytes] = ()
) -> None:
    attrs = derived.attributes
    epoch = s.l1_block(batch.epoch_num)
    seq = 0 if batch.epoch_num != derived.parent.l1_origin.number else derived.parent.seq_num + 1
    assert attrs.timestamp == batch.timestamp
    assert derived.parent.hash == batch.parent_hash
    assert attrs.transactions == (
        expected_l1_info(s, epoch, seq, batch.timestamp),
        *deposits,
        *batch.transactions,
    )
    assert attrs.prev_randao == epoch.header.mix_hash
    assert attrs.suggested_fee_recipient == SEQUENCER_FEE_VAULT
    assert attrs.parent_beacon_block_root == epoch.header.parent_beacon_block_root
    assert attrs.gas_limit == 30_000_000
    assert attrs.withdrawals == ()
    assert attrs.no_tx_pool is True
    assert attrs.eip1559_params == b"\x00" * 8
    assert attrs.min_base_fee is None


def setup_chain(s: Scenario, l1_blocks: int = 2) -> None:
    for _ in range(l1_blocks):
        s.add_l1_block()


@pytest.mark.parametrize("algo", ["zlib", "brotli"])
def test_singular_batches_in_calldata(algo: str) -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1), algo=algo))])
    derived = derive(s)
    assert len(derived) == 8
    for d, b in zip(derived, batches, strict=True):
        assert_block(s, d, b)
    assert [d.derived_from.number for d in derived if d.derived_from] == [2] * 8
    assert [s.l2_block(n).l1_origin.number for n in range(1, 9)] == [0, 0, 0, 0, 0, 1, 1, 1]
    assert [s.l2_block(n).seq_num for n in range(1, 9)] == [1, 2, 3, 4, 5, 0, 1, 2]


def test_first_l1_info_tx_exact_bytes() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 1)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)))])
    [d] = derive(s)
    info = d.attributes.transactions[0]
    # Ecotone L1-info: selector 0x440a5e20, 164 bytes of calldata, from the depositor to L1Block.
    tx = DepositTx.decode(info)
    assert tx.data[:4] == bytes.fromhex("440a5e20") and len(tx.data) == 164
    assert tx.from_ == bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")
    assert tx.to == bytes.fromhex("4200000000000000000000000000000000000015")
    l1 = s.l1_block(0).header
    assert tx.data[4:] == (
        (1368).to_bytes(4, "big")
        + (810949).to_bytes(4, "big")
        + (1).to_bytes(8, "big")
        + l1.timestamp.to_bytes(8, "big")
        + (0).to_bytes(8, "big")
        + (7).to_bytes(32, "big")
        + (1).to_bytes(32, "big")
        + l1.hash()
        + b"\x00" * 12
        + address_of(BATCHER_KEY)
    )


def test_span_batch() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    span = s.span_batch(batches)
    s.add_l1_block([s.batcher_tx(channel_frames([span], channel_id(1)))])
    derived = derive(s)
    assert len(derived) == 8
    for d, b in zip(derived, batches, strict=True):
        assert_block(s, d, b)
    assert [d.is_last_in_span for d in derived] == [False] * 7 + [True]


def test_span_batch_pre_holocene() -> None:
    s = Scenario.create(holocene_time=None)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    s.add_l1_block([s.batcher_tx(channel_frames([s.span_batch(batches)], channel_id(1)))])
    derived = derive(s)
    assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]
    assert [d.is_last_in_span for d in derived] == [False] * 7 + [True]


def test_blobs() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    frames = channel_frames(batches, channel_id(1), frame_size=200)
    assert len(frames) > 1
    tx, blobs = s.blob_batcher_tx([frames[:1], frames[1:]])
    s.add_l1_block([tx], blobs=blobs)
    derived = derive(s)
    assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]
    assert len(s.blobs.requests) == 1
    assert [h.index for h in s.blobs.requests[0][1]] == [0, 1]


def test_calldata_ignored_before_ecotone_blob_tx_data() -> None:
    """Pre-Ecotone only calldata counts; a blob tx to the inbox carries empty calldata."""
    s = Scenario.create(ecotone_time=None, fjord_time=None, granite_time=None, holocene_time=None)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 2)
    tx, blobs = s.blob_batcher_tx([channel_frames(batches, channel_id(1))])
    s.add_l1_block([tx], blobs=blobs)
    s.add_empty_l1_blocks(2)
    assert derive(s) == []
    assert s.blobs.requests == []


def test_frames_split_across_l1_blocks() -> None:
    s = Scenario.create(granite_channel_timeout=20)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    frames = channel_frames(batches, channel_id(1), frame_size=150)
    assert len(frames) >= 3
    for frame in frames:
        s.add_l1_block([s.batcher_tx([frame])])
    derived = derive(s)
    assert len(derived) == 8
    assert {d.derived_from.number for d in derived if d.derived_from} == {1 + len(frames)}


@pytest.mark.parametrize("holocene", [False, True], ids=["pre_holocene", "holocene"])
def test_out_of_order_frames(holocene: bool) -> None:
    s = Scenario.create(holocene_time=0 if holocene else None, granite_channel_timeout=20)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    frames = channel_frames(batches, channel_id(1), frame_size=150)
    order = [1, 0, *range(2, len(frames))]
    for i in order:
        s.add_l1_block([s.batcher_tx([frames[i]])])
    derived = derive(s)
    if holocene:
        # Frame 1 before frame 0 is dropped, then frame 2 after frame 0: the channel never completes,
        # only empty batches are derived once the sequencing window expires.
        assert derived
        assert all(d.attributes.transactions[1:] == () for d in derived)
    else:
        assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]


def test_timed_out_channel() -> None:
    s = Scenario.create()  # Granite: channel timeout 4 L1 blocks
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    frames = channel_frames(batches, channel_id(1), frame_size=300)
    s.add_l1_block([s.batcher_tx(frames[:-1])])
    s.add_empty_l1_blocks(4)
    s.add_l1_block([s.batcher_tx(frames[-1:])])
    assert derive(s) == []


def test_channel_within_timeout() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    frames = channel_frames(batches, channel_id(1), frame_size=300)
    s.add_l1_block([s.batcher_tx(frames[:-1])])
    s.add_empty_l1_blocks(3)
    s.add_l1_block([s.batcher_tx(frames[-1:])])
    assert len(derive(s)) == 8


def test_unauthorized_batcher_ignored() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 2)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)), key=OTHER_KEY)])
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(2)), to=b"\x01" * 20)])
    assert derive(s) == []


def test_batcher_change_by_config_update() -> None:
    s = Scenario.create()
    new_batcher = address_of(OTHER_KEY)
    log = encode_config_update_log(BatcherUpdate(new_batcher), SYSTEM_CONFIG_ADDRESS)
    s.add_l1_block([b"\x00"], [Receipt(1, 50_000, (log,))])
    batches = shadow_blocks(s, 2)
    s.add_l1_block(
        [
            s.batcher_tx(channel_frames(batches, channel_id(1))),  # old batcher: ignored now
            s.batcher_tx(channel_frames(batches, channel_id(2)), key=OTHER_KEY),
        ]
    )
    derived = derive(s)
    assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]


def test_user_deposits_on_epoch_start() -> None:
    s = Scenario.create()
    deposit = DepositTx(b"\x00" * 32, b"\x11" * 20, b"\x22" * 20, 10**18, 5, 100_000, False, b"hello")
    other_log = encode_deposit_log(deposit, b"\x99" * 20)  # wrong contract: ignored, but counted
    log = encode_deposit_log(deposit, DEPOSIT_CONTRACT)
    e1 = s.add_l1_block([b"\x00", b"\x01"], [Receipt(1, 50_000, (other_log,)), Receipt(1, 90_000, (log,))])
    batches = shadow_blocks(s, 7, with_txs=False)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)))])
    derived = derive(s)
    expected_deposit = replace(deposit, source_hash=user_deposit_source_hash(e1.hash, 1)).encode()
    assert len(derived) == 7
    assert [len(d.attributes.transactions) for d in derived] == [1, 1, 1, 1, 1, 2, 1]
    assert derived[5].attributes.transactions[1] == expected_deposit
    assert_block(s, derived[5], batches[5], deposits=[expected_deposit])


def test_empty_batches_after_sequencing_window() -> None:
    s = Scenario.create()  # seq window 8
    s.add_empty_l1_blocks(12)
    derived = derive(s)
    # Epochs 0..(12 - 8) expire; each L2 block gets an empty batch (only the L1-info deposit).
    assert derived
    assert all(len(d.attributes.transactions) == 1 for d in derived)
    heads = [s.l2_block(n) for n in range(1, len(derived) + 1)]
    assert [h.timestamp for h in heads] == [T + 2 * n for n in range(1, len(derived) + 1)]
    # Epochs advance as soon as the L2 time reaches the next L1 block.
    assert all(h.l1_origin.number == (h.timestamp - T) // 12 for h in heads)
    assert max(h.l1_origin.number for h in heads) == 12 - 8


@pytest.mark.parametrize("holocene", [False, True], ids=["pre_holocene", "holocene"])
def test_invalid_batch_drops_rest_of_channel_only_after_holocene(holocene: bool) -> None:
    s = Scenario.create(holocene_time=0 if holocene else None)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 3)
    bad = replace(batches[0], epoch_hash=b"\x33" * 32)  # epoch hash mismatch: dropped
    channel = [bad, *batches]
    s.add_l1_block([s.batcher_tx(channel_frames(channel, channel_id(1)))])
    derived = derive(s)
    if holocene:
        assert derived == []  # fast channel invalidation: the valid batches after it are dropped too
    else:
        assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]


@pytest.mark.parametrize("holocene", [False, True], ids=["pre_holocene", "holocene"])
def test_future_batch_buffered_only_before_holocene(holocene: bool) -> None:
    s = Scenario.create(holocene_time=0 if holocene else None)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 2)
    s.add_l1_block([s.batcher_tx(channel_frames(batches[1:], channel_id(1)))])
    s.add_l1_block([s.batcher_tx(channel_frames(batches[:1], channel_id(2)))])
    derived = derive(s)
    if holocene:
        assert [d.attributes.transactions[1:] for d in derived] == [batches[0].transactions]
    else:
        assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]


def test_holocene_activation_mid_chain() -> None:
    s = Scenario.create(holocene_time=T + 12 * 3)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 4)
    s.add_l1_block([s.batcher_tx(channel_frames(batches[:2], channel_id(1)))])
    s.add_empty_l1_blocks(1)
    s.add_l1_block([s.batcher_tx(channel_frames(batches[2:], channel_id(2)))])  # L1 #4: Holocene
    derived = derive(s)
    assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]
    assert [d.attributes.eip1559_params for d in derived] == [None] * 4  # L2 time still pre-Holocene


def test_l1_reorg_resets_and_follows_new_chain() -> None:
    s = Scenario.create()
    setup_chain(s, 2)
    pipeline = s.pipeline()
    assert derive(s, pipeline=pipeline) == []
    old_head = s.l1_head()
    assert pipeline.origin == old_head.info()
    # Reorg L1 #2 away; the new branch carries the batches.
    new_2 = s.add_l1_block(parent=s.l1_block(1), salt=b"reorg")
    batches = shadow_blocks(s, 2)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)))], parent=new_2)
    result = trio.run(pipeline.step, s.l2_head())
    assert result.outcome is StepOutcome.ORIGIN_ADVANCE_ERROR
    assert isinstance(result.error, ReorgError)
    derived = derive(s, pipeline=pipeline, reset=False)
    assert [d.attributes.transactions[1:] for d in derived] == [b.transactions for b in batches]
    assert derived[0].derived_from is not None and derived[0].derived_from.number == 3


def test_reset_origin_walks_back_channel_timeout() -> None:
    s = Scenario.create()
    s.add_empty_l1_blocks(20)
    pipeline = s.pipeline()
    head = replace(s.l2_head(), l1_origin=s.l1_block(10).info().id())
    assert trio.run(pipeline.reset_origin, head) == s.l1_block(6).info()  # Granite timeout: 4
    assert trio.run(pipeline.reset_origin, s.l2_head()) == s.l1_block(0).info()  # not before genesis


def test_flush_channel_signal_drops_current_channel() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    batches = shadow_blocks(s, 3)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)))])
    pipeline = s.pipeline()

    async def run() -> list[OpPayloadAttributesWithParent]:
        await pipeline.signal(Signal.RESET, s.l2_head())
        first = await pipeline.run_until_attributes(s.l2_head())
        assert first is not None
        s.apply(first)
        await pipeline.signal(Signal.FLUSH_CHANNEL)
        rest = []
        while (d := await pipeline.run_until_attributes(s.l2_head())) is not None:
            rest.append(d)
            s.apply(d)
        return [first, *rest]

    derived = trio.run(run)
    assert [d.attributes.transactions[1:] for d in derived] == [batches[0].transactions]


def test_pipeline_origin_and_step_results() -> None:
    s = Scenario.create()
    setup_chain(s, 1)
    pipeline = s.pipeline()
    trio.run(pipeline.signal, Signal.RESET, s.l2_head())
    assert pipeline.origin == s.l1_block(0).info()
    outcomes = [trio.run(pipeline.step, s.l2_head()).outcome for _ in range(6)]
    assert StepOutcome.ADVANCED_ORIGIN in outcomes
    assert pipeline.origin == s.l1_block(1).info()
    assert pipeline.next_attributes() is None


def test_frame_wire_type_is_shared() -> None:
    frame = channel_frames([SingleBatch(b"\x00" * 32, 0, b"\x00" * 32, 2, ())], channel_id(9))[0]
    assert isinstance(frame, Frame) and frame.is_last and frame.number == 0


def test_isthmus_and_jovian_activation_blocks() -> None:
    from mauna.protocol.upgrades import upgrade_transactions

    s = Scenario.create(isthmus_time=T + 12, jovian_time=T + 14)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 8)
    # The Jovian activation block (L2 #7) must not carry sequenced transactions.
    batches = [*batches[:6], replace(batches[6], transactions=()), *batches[7:]]
    batches = shadow_chain(s, batches)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)))])
    derived = derive(s)
    assert len(derived) == 8
    txs = [d.attributes.transactions for d in derived]
    isthmus_upgrades = upgrade_transactions(s.config, T + 12)
    jovian_upgrades = upgrade_transactions(s.config, T + 14)
    assert len(isthmus_upgrades) == 8 and len(jovian_upgrades) == 5
    assert txs[5][1:] == (*isthmus_upgrades, *batches[5].transactions)
    assert txs[6][1:] == tuple(jovian_upgrades)
    selectors = [DepositTx.decode(t[0]).data[:4].hex() for t in txs]
    # Ecotone layout up to and on the Isthmus activation block, Isthmus layout on the Jovian
    # activation block, then the Jovian layout.
    assert selectors[:6] == ["440a5e20"] * 6
    assert selectors[6] == "098999be"
    assert selectors[7] != "098999be"
    assert [d.attributes.min_base_fee for d in derived] == [None] * 6 + [0, 0]


def test_non_empty_jovian_activation_batch_is_dropped() -> None:
    s = Scenario.create(isthmus_time=0, jovian_time=T + 4)
    setup_chain(s, 1)
    batches = shadow_blocks(s, 3)
    s.add_l1_block([s.batcher_tx(channel_frames(batches, channel_id(1)))])
    derived = derive(s)
    # Block 1 is accepted; the batch for block 2 (Jovian activation) has a user tx: dropped with
    # the rest of the channel.
    assert [d.attributes.transactions[1:] for d in derived] == [batches[0].transactions]


def shadow_chain(s: Scenario, batches: list[SingleBatch]) -> list[SingleBatch]:
    """Recompute the parent hashes of ``batches`` (after editing their transactions) as the
    scenario engine will hash the blocks, including upgrade transactions."""
    from mauna.primitives.block import BlockInfo
    from mauna.primitives.bytes import keccak256
    from mauna.primitives.rlp_utils import rlp_encode
    from mauna.protocol.upgrades import upgrade_transactions

    out = []
    parent = s.l2_head()
    for batch in batches:
        batch = replace(batch, parent_hash=parent.hash)
        epoch_block = s.l1_block(batch.epoch_num)
        seq = 0 if batch.epoch_num != parent.l1_origin.number else parent.seq_num + 1
        txs = [
            expected_l1_info(s, epoch_block, seq, batch.timestamp),
            *upgrade_transactions(s.config, batch.timestamp),
            *batch.transactions,
        ]
        block_hash = keccak256(rlp_encode([parent.hash, batch.timestamp, txs]))
        parent = L2BlockInfo(
            BlockInfo(block_hash, parent.number + 1, parent.hash, batch.timestamp),
            epoch_block.info().id(),
            seq,
        )
        out.append(batch)
    return out
