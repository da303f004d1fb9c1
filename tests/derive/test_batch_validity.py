"""Each batch validity rule, one named case, before and after Holocene.

Spec: protocol/derivation.md "Batch Queue", protocol/delta/span-batches.md, protocol/holocene/
derivation.md, protocol/isthmus/, protocol/jovian/derivation.md.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import trio

from mauna.derive.batch_validity import (
    BatchValidity,
    DropReason,
    Verdict,
    check_single_batch,
    check_span_batch,
    check_span_batch_prefix,
)
from mauna.derive.memory import InMemoryL2ChainProvider
from mauna.derive.providers import L2Block
from mauna.derive.testing import Scenario, l2_user_tx
from mauna.genesis.rollup_config import RollupConfig
from mauna.genesis.system_config import SystemConfig
from mauna.primitives.block import BlockID, BlockInfo, L2BlockInfo
from mauna.primitives.bytes import keccak256
from mauna.protocol.batch import SingleBatch, SpanBatch

E0 = BlockInfo(keccak256(b"e0"), 10, keccak256(b"e-1"), 1000)
E1 = BlockInfo(keccak256(b"e1"), 11, E0.hash, 1012)
E2 = BlockInfo(keccak256(b"e2"), 12, E1.hash, 1024)
SAFE = L2BlockInfo(BlockInfo(keccak256(b"safe"), 100, keccak256(b"safe parent"), 1010), E0.id(), 3)
TX = l2_user_tx(0)


def config(*, holocene: bool, **overrides: object) -> RollupConfig:
    times: dict[str, object] = {
        "holocene_time": 0 if holocene else None,
        "fjord_time": None,
        "granite_time": None,
    }
    times.update(overrides)
    return Scenario.create(**times).config


def single(**fields: object) -> SingleBatch:
    base = SingleBatch(SAFE.hash, E0.number, E0.hash, SAFE.timestamp + 2, (TX,))
    return replace(base, **fields)  # type: ignore[arg-type]


def drop(reason: DropReason) -> Verdict:
    return Verdict.drop(reason)


ACCEPT = Verdict(BatchValidity.ACCEPT)
UNDECIDED = Verdict(BatchValidity.UNDECIDED)
FUTURE = Verdict(BatchValidity.FUTURE)
PAST = Verdict(BatchValidity.PAST)

SINGLE_CASES = {
    # name: (batch, l1_blocks, safe_head, inclusion, expected pre-Holocene, expected post-Holocene)
    "accept": (single(), [E0, E1], SAFE, E2, ACCEPT, ACCEPT),
    "accept_next_epoch": (
        single(epoch_num=11, epoch_hash=E1.hash, timestamp=1012),
        [E0, E1],
        replace(SAFE, block_info=replace(SAFE.block_info, timestamp=1010)),
        E2,
        ACCEPT,
        ACCEPT,
    ),
    "future_timestamp": (
        single(timestamp=SAFE.timestamp + 4),
        [E0, E1],
        SAFE,
        E2,
        FUTURE,
        drop(DropReason.FUTURE_TIMESTAMP_HOLOCENE),
    ),
    "past_timestamp": (
        single(timestamp=SAFE.timestamp),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.PAST_TIMESTAMP),
        PAST,
    ),
    "parent_hash_mismatch": (
        single(parent_hash=keccak256(b"other")),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.PARENT_HASH_MISMATCH),
        drop(DropReason.PARENT_HASH_MISMATCH),
    ),
    "included_too_late": (
        single(),
        [E0, E1],
        SAFE,
        replace(E2, number=19),
        drop(DropReason.INCLUDED_TOO_LATE),
        drop(DropReason.INCLUDED_TOO_LATE),
    ),
    "epoch_too_old": (
        single(epoch_num=9),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.EPOCH_TOO_OLD),
        drop(DropReason.EPOCH_TOO_OLD),
    ),
    "next_epoch_unknown_undecided": (
        single(epoch_num=11, epoch_hash=E1.hash, timestamp=1012),
        [E0],
        replace(SAFE, block_info=replace(SAFE.block_info, timestamp=1010)),
        E2,
        UNDECIDED,
        UNDECIDED,
    ),
    "epoch_too_far_in_future": (
        single(epoch_num=12, epoch_hash=E2.hash),
        [E0, E1, E2],
        SAFE,
        E2,
        drop(DropReason.EPOCH_TOO_FAR_IN_FUTURE),
        drop(DropReason.EPOCH_TOO_FAR_IN_FUTURE),
    ),
    "epoch_hash_mismatch": (
        single(epoch_hash=E1.hash),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.EPOCH_HASH_MISMATCH),
        drop(DropReason.EPOCH_HASH_MISMATCH),
    ),
    "timestamp_before_l1_origin": (
        single(epoch_num=11, epoch_hash=E1.hash, timestamp=1010),
        [E0, E1],
        replace(SAFE, block_info=replace(SAFE.block_info, timestamp=1008)),
        E2,
        drop(DropReason.TIMESTAMP_BEFORE_L1_ORIGIN),
        drop(DropReason.TIMESTAMP_BEFORE_L1_ORIGIN),
    ),
    "empty_transaction": (
        single(transactions=(b"",)),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.EMPTY_TRANSACTION),
        drop(DropReason.EMPTY_TRANSACTION),
    ),
    "deposit_transaction": (
        single(transactions=(b"\x7e\xc0",)),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.DEPOSIT_TRANSACTION),
        drop(DropReason.DEPOSIT_TRANSACTION),
    ),
    "set_code_pre_isthmus": (
        single(transactions=(b"\x04\xc0",)),
        [E0, E1],
        SAFE,
        E2,
        drop(DropReason.SET_CODE_PRE_ISTHMUS),
        drop(DropReason.SET_CODE_PRE_ISTHMUS),
    ),
}


@pytest.mark.parametrize("holocene", [False, True], ids=["pre_holocene", "holocene"])
@pytest.mark.parametrize("name", sorted(SINGLE_CASES))
def test_single_batch_rule(name: str, holocene: bool) -> None:
    batch, l1_blocks, safe, inclusion, pre, post = SINGLE_CASES[name]
    cfg = config(holocene=holocene)
    assert check_single_batch(cfg, l1_blocks, safe, batch, inclusion) == (post if holocene else pre)


# Sequencer drift: the safe head sits at E0.time + max drift (600 before Fjord, 1800 after; Holocene
# implies Fjord).
DRIFT_CASES = {
    # name: (has txs, l1 blocks after E0 (None: next origin unknown; "early"/"late" next origin), expected)
    "sequencer_drift_exceeded": (True, "early", drop(DropReason.SEQUENCER_DRIFT_EXCEEDED)),
    "sequencer_drift_empty_next_origin_unknown": (False, None, UNDECIDED),
    "sequencer_drift_not_adopted_next_origin": (
        False,
        "early",
        drop(DropReason.SEQUENCER_DRIFT_NOT_ADOPTED_NEXT_ORIGIN),
    ),
    "sequencer_drift_empty_before_late_origin": (False, "late", ACCEPT),
}


@pytest.mark.parametrize("holocene", [False, True], ids=["pre_holocene", "holocene"])
@pytest.mark.parametrize("name", sorted(DRIFT_CASES))
def test_single_batch_drift_rule(name: str, holocene: bool) -> None:
    has_txs, next_origin, expected = DRIFT_CASES[name]
    cfg = config(holocene=holocene)
    drift = cfg.max_sequencer_drift_at(E0.timestamp)
    assert drift == (1800 if holocene else 600)
    safe = replace(SAFE, block_info=replace(SAFE.block_info, timestamp=E0.timestamp + drift))
    l1_blocks = [E0]
    if next_origin == "early":
        l1_blocks.append(E1)
    elif next_origin == "late":
        l1_blocks.append(replace(E1, timestamp=E0.timestamp + drift + 100))
    batch = single(timestamp=safe.timestamp + 2, transactions=(TX,) if has_txs else ())
    assert check_single_batch(cfg, l1_blocks, safe, batch, E2) == expected
    # One block earlier, the same batch is within the drift and accepted.
    inside = replace(safe, block_info=replace(safe.block_info, timestamp=safe.timestamp - 2))
    assert check_single_batch(cfg, l1_blocks, inside, replace(batch, timestamp=safe.timestamp), E2) == ACCEPT


def test_fjord_raises_max_sequencer_drift_to_1800() -> None:
    safe = replace(SAFE, block_info=replace(SAFE.block_info, timestamp=1600))
    batch = single(timestamp=1602)
    assert check_single_batch(config(holocene=False), [E0, E1], safe, batch, E2) == drop(
        DropReason.SEQUENCER_DRIFT_EXCEEDED
    )
    assert check_single_batch(config(holocene=False, fjord_time=0), [E0, E1], safe, batch, E2) == ACCEPT


def test_set_code_accepted_after_isthmus() -> None:
    batch = single(transactions=(b"\x04\xc0",))
    assert check_single_batch(config(holocene=True, isthmus_time=0), [E0, E1], SAFE, batch, E2) == ACCEPT


def test_non_empty_transition_block_jovian() -> None:
    cfg = config(holocene=True, isthmus_time=0, jovian_time=SAFE.timestamp + 2)
    assert check_single_batch(cfg, [E0, E1], SAFE, single(), E2) == drop(
        DropReason.NON_EMPTY_TRANSITION_BLOCK
    )
    assert check_single_batch(cfg, [E0, E1], SAFE, single(transactions=()), E2) == ACCEPT


def test_no_l1_blocks_is_undecided() -> None:
    assert check_single_batch(config(holocene=True), [], SAFE, single(), E2) == UNDECIDED


# --- span batches ---------------------------------------------------------------------------------
# L2 chain: blocks 98..100 (ts 1006, 1008, 1010) on E0; a span batch covers 101..103.
L2_98 = L2BlockInfo(BlockInfo(keccak256(b"98"), 98, keccak256(b"97"), 1006), E0.id(), 1)
L2_99 = L2BlockInfo(BlockInfo(keccak256(b"99"), 99, L2_98.hash, 1008), E0.id(), 2)
L2_100 = L2BlockInfo(BlockInfo(SAFE.hash, 100, L2_99.hash, 1010), E0.id(), 3)
TXS = {n: (l2_user_tx(n),) for n in range(98, 105)}


def l2_chain() -> InMemoryL2ChainProvider:
    l2 = InMemoryL2ChainProvider()
    header = Scenario.create().l1_block(0).header
    for info in (L2_98, L2_99, L2_100):
        l2.add_block(info, SystemConfig(), L2Block(header, (b"\x7e\xc0", *TXS[info.number])))
    return l2


def span(
    first: int,
    last: int,
    *,
    parent: bytes | None = None,
    epochs: dict[int, BlockInfo] | None = None,
    txs: dict[int, tuple[bytes, ...]] | None = None,
) -> SpanBatch:
    """Span batch of L2 blocks first..last (ts = 1010 + 2 * (n - 100)); epochs default to E0 then E1."""
    epochs = epochs or {}
    txs = txs or TXS
    parents = {99: L2_98.hash, 100: L2_99.hash, 101: L2_100.hash}
    singles = []
    for n in range(first, last + 1):
        epoch = epochs.get(n, E0 if n <= 101 else E1)
        singles.append(
            SingleBatch(
                parent if (parent and n == first) else parents.get(n, b"\x00" * 32),
                epoch.number,
                epoch.hash,
                1010 + 2 * (n - 100),
                TXS.get(n, ()),
            )
        )
    batch = SpanBatch.from_singular_batches(singles, 0, 901)
    # Patch in transactions a span batch could not pack (deposits) after building it.
    elements = tuple(replace(e, transactions=txs.get(first + i, ())) for i, e in enumerate(batch.batches))
    return replace(batch, batches=elements)


def run_span(
    cfg: RollupConfig,
    batch: SpanBatch,
    l1_blocks: list[BlockInfo],
    inclusion: BlockInfo = E2,
    safe: L2BlockInfo = L2_100,
) -> Verdict:
    return trio.run(check_span_batch, cfg, l1_blocks, safe, batch, inclusion, l2_chain())


SPAN_CASES = {
    "accept": (span(101, 103), [E0, E1, E2], ACCEPT, ACCEPT),
    "accept_overlapping_safe_chain": (span(99, 103), [E0, E1, E2], ACCEPT, ACCEPT),
    "future_timestamp": (
        span(102, 103, parent=L2_100.hash),
        [E0, E1, E2],
        FUTURE,
        drop(DropReason.FUTURE_TIMESTAMP_HOLOCENE),
    ),
    "no_new_blocks": (span(99, 100), [E0, E1, E2], drop(DropReason.SPAN_BATCH_NO_NEW_BLOCKS), PAST),
    "parent_hash_mismatch": (
        span(101, 103, parent=keccak256(b"x")),
        [E0, E1, E2],
        drop(DropReason.PARENT_HASH_MISMATCH),
        drop(DropReason.PARENT_HASH_MISMATCH),
    ),
    "epoch_hash_mismatch": (
        span(101, 103, epochs={102: E1, 103: replace(E1, hash=keccak256(b"y"))}),
        [E0, E1, E2],
        drop(DropReason.EPOCH_HASH_MISMATCH),
        drop(DropReason.EPOCH_HASH_MISMATCH),
    ),
    "end_epoch_unknown_undecided": (span(101, 103), [E0], UNDECIDED, UNDECIDED),
    "epoch_too_far_in_future": (
        span(101, 103, epochs={101: E2, 102: E2, 103: E2}),
        [E0, E1, E2],
        drop(DropReason.EPOCH_TOO_FAR_IN_FUTURE),
        drop(DropReason.EPOCH_TOO_FAR_IN_FUTURE),
    ),
    "overlapped_tx_count_mismatch": (
        span(99, 103, txs={**TXS, 99: ()}),
        [E0, E1, E2],
        drop(DropReason.OVERLAPPED_TX_COUNT_MISMATCH),
        drop(DropReason.OVERLAPPED_TX_COUNT_MISMATCH),
    ),
    "overlapped_tx_mismatch": (
        span(99, 103, txs={**TXS, 100: (l2_user_tx(7),)}),
        [E0, E1, E2],
        drop(DropReason.OVERLAPPED_TX_MISMATCH),
        drop(DropReason.OVERLAPPED_TX_MISMATCH),
    ),
    "deposit_transaction": (
        span(101, 103, txs={**TXS, 102: (b"\x7e\xc0",)}),
        [E0, E1, E2],
        drop(DropReason.DEPOSIT_TRANSACTION),
        drop(DropReason.DEPOSIT_TRANSACTION),
    ),
    "timestamp_before_l1_origin": (
        span(101, 103, epochs={101: E0, 102: replace(E1, timestamp=1016), 103: replace(E1, timestamp=1016)}),
        [E0, replace(E1, timestamp=1016), E2],
        drop(DropReason.TIMESTAMP_BEFORE_L1_ORIGIN),
        drop(DropReason.TIMESTAMP_BEFORE_L1_ORIGIN),
    ),
}


@pytest.mark.parametrize("holocene", [False, True], ids=["pre_holocene", "holocene"])
@pytest.mark.parametrize("name", sorted(SPAN_CASES))
def test_span_batch_rule(name: str, holocene: bool) -> None:
    batch, l1_blocks, pre, post = SPAN_CASES[name]
    cfg = config(holocene=holocene)
    if holocene:
        # From Holocene only the prefix checks apply to the span; blocks are checked one by one.
        verdict, _ = trio.run(check_span_batch_prefix, cfg, l1_blocks, L2_100, batch, E2, l2_chain())
        if verdict.validity is BatchValidity.ACCEPT:
            verdict = run_span(cfg, batch, l1_blocks)
        assert verdict == post
    else:
        assert run_span(cfg, batch, l1_blocks) == pre


def test_span_batch_pre_delta() -> None:
    cfg = config(holocene=False, delta_time=5000, ecotone_time=None, fjord_time=None, canyon_time=0)
    assert run_span(cfg, span(101, 103), [E0, E1, E2]) == drop(DropReason.SPAN_BATCH_PRE_DELTA)


def test_span_batch_included_too_late() -> None:
    cfg = config(holocene=False)
    assert run_span(cfg, span(101, 103), [E0, E1, E2], replace(E2, number=19)) == drop(
        DropReason.INCLUDED_TOO_LATE
    )


def test_span_batch_misaligned_timestamp() -> None:
    batch = span(101, 103)
    shifted = replace(batch, batches=tuple(replace(b, timestamp=b.timestamp - 1) for b in batch.batches))
    assert run_span(config(holocene=False), shifted, [E0, E1, E2]) == drop(
        DropReason.SPAN_BATCH_MISALIGNED_TIMESTAMP
    )


def test_span_batch_not_overlapped_exactly() -> None:
    batch = span(99, 103)
    shifted = replace(batch, batches=tuple(replace(b, timestamp=b.timestamp - 1) for b in batch.batches))
    assert run_span(config(holocene=False), shifted, [E0, E1, E2]) == drop(
        DropReason.SPAN_BATCH_NOT_OVERLAPPED_EXACTLY
    )


def test_span_batch_l1_origin_before_safe_head() -> None:
    safe = replace(L2_100, l1_origin=E1.id())
    batch = span(101, 103, epochs={101: E0, 102: E0, 103: E1})
    cfg = config(holocene=False)
    assert run_span(cfg, batch, [E0, E1, E2], safe=safe) == drop(DropReason.EPOCH_TOO_OLD)


def test_span_batch_missing_l1_origin() -> None:
    batch = span(101, 103, epochs={101: E0, 102: E1, 103: E1})
    assert run_span(config(holocene=False), batch, [E1, E0, E2]) == drop(DropReason.MISSING_L1_ORIGIN)


def test_span_batch_sequencer_drift_exceeded() -> None:
    late = replace(E1, timestamp=5000)
    batch = span(101, 103, epochs={101: E0, 102: E0, 103: E0})
    safe = replace(L2_100, block_info=replace(L2_100.block_info, timestamp=1010))
    cfg = config(holocene=False, max_sequencer_drift=3)
    assert run_span(cfg, batch, [E0, late, E2], safe=safe) == drop(DropReason.SEQUENCER_DRIFT_EXCEEDED)


def test_span_batch_overlapped_l1_origin_mismatch() -> None:
    batch = span(99, 103)
    l2 = l2_chain()
    l2.add_block(replace(L2_99, l1_origin=BlockID(E1.hash, 11)), SystemConfig(), l2.entries[99].block)
    verdict = trio.run(check_span_batch, config(holocene=False), [E0, E1, E2], L2_100, batch, E2, l2)
    assert verdict == drop(DropReason.OVERLAPPED_L1_ORIGIN_MISMATCH)
