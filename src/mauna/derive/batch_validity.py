"""Batch validity rules: accept, drop, undecided, future, past.

Spec: protocol/derivation.md "Batch Queue" (singular batches), protocol/delta/span-batches.md
"Batch Queue" (span batches), protocol/fjord/derivation.md (``max_sequencer_drift`` by L1 origin
time), protocol/holocene/derivation.md "Batch Queue" / "Span Batches" (from Holocene, by the L1
inclusion block time: future batches are dropped, old ones are ``past``), protocol/isthmus/
(SetCode transactions allowed), protocol/jovian/derivation.md "Activation Block Rules" (the
activation block must not hold sequenced transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from mauna.derive.errors import PipelineError
from mauna.derive.providers import L2ChainProvider
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo, L2BlockInfo
from mauna.protocol.batch import SingleBatch, SpanBatch

DEPOSIT_TX_TYPE = 0x7E
SET_CODE_TX_TYPE = 0x04


class BatchValidity(Enum):
    DROP = "drop"
    ACCEPT = "accept"
    UNDECIDED = "undecided"
    FUTURE = "future"
    PAST = "past"


class DropReason(Enum):
    """Why a batch was dropped (one per validity rule)."""

    FUTURE_TIMESTAMP_HOLOCENE = "batch timestamp is in the future (Holocene: no gaps)"
    PAST_TIMESTAMP = "batch timestamp is before the next timestamp"
    PARENT_HASH_MISMATCH = "parent hash does not match the L2 safe head"
    INCLUDED_TOO_LATE = "batch included after its sequence window"
    EPOCH_TOO_OLD = "batch epoch is older than the safe head's L1 origin"
    EPOCH_TOO_FAR_IN_FUTURE = "batch epoch is more than one L1 block ahead"
    EPOCH_HASH_MISMATCH = "batch epoch hash does not match the canonical L1 origin"
    TIMESTAMP_BEFORE_L1_ORIGIN = "batch timestamp is before its L1 origin's timestamp"
    SEQUENCER_DRIFT_EXCEEDED = "batch with transactions exceeds the max sequencer drift"
    SEQUENCER_DRIFT_NOT_ADOPTED_NEXT_ORIGIN = "empty batch past the drift could have adopted the next origin"
    NON_EMPTY_TRANSITION_BLOCK = "sequenced transactions in a Jovian / Interop activation block"
    EMPTY_TRANSACTION = "batch holds an empty transaction"
    DEPOSIT_TRANSACTION = "batch holds a deposit transaction"
    SET_CODE_PRE_ISTHMUS = "batch holds a SetCode (type 4) transaction before Isthmus"
    SPAN_BATCH_PRE_DELTA = "span batch with an L1 origin before Delta"
    SPAN_BATCH_NO_NEW_BLOCKS = "span batch has no block after the safe head"
    SPAN_BATCH_MISALIGNED_TIMESTAMP = "span batch timestamp is not aligned to the block time"
    SPAN_BATCH_NOT_OVERLAPPED_EXACTLY = "span batch does not overlap the safe chain exactly"
    L1_ORIGIN_BEFORE_SAFE_HEAD = "span batch block's L1 origin is before the safe head's"
    MISSING_L1_ORIGIN = "span batch block's L1 origin is not among the known L1 blocks"
    OVERLAPPED_TX_COUNT_MISMATCH = "overlapped block's transaction count differs from the safe block"
    OVERLAPPED_TX_MISMATCH = "overlapped block's transaction differs from the safe block"
    OVERLAPPED_L1_ORIGIN_MISMATCH = "overlapped block's L1 origin differs from the safe block"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validity and, for a drop, the rule that dropped the batch."""

    validity: BatchValidity
    reason: DropReason | None = None

    @staticmethod
    def drop(reason: DropReason) -> Verdict:
        return Verdict(BatchValidity.DROP, reason)


ACCEPT = Verdict(BatchValidity.ACCEPT)
UNDECIDED = Verdict(BatchValidity.UNDECIDED)
FUTURE = Verdict(BatchValidity.FUTURE)
PAST = Verdict(BatchValidity.PAST)


def _check_transactions(cfg: RollupConfig, timestamp: int, txs: Sequence[bytes]) -> Verdict:
    for tx in txs:
        if not tx:
            return Verdict.drop(DropReason.EMPTY_TRANSACTION)
        if tx[0] == DEPOSIT_TX_TYPE:
            return Verdict.drop(DropReason.DEPOSIT_TRANSACTION)
        if tx[0] == SET_CODE_TX_TYPE and not cfg.is_isthmus_active(timestamp):
            return Verdict.drop(DropReason.SET_CODE_PRE_ISTHMUS)
    return ACCEPT


def check_single_batch(
    cfg: RollupConfig,
    l1_blocks: Sequence[BlockInfo],
    safe_head: L2BlockInfo,
    batch: SingleBatch,
    inclusion_block: BlockInfo,
) -> Verdict:
    """The validity of a singular batch on top of ``safe_head`` (``l1_blocks[0]`` is its origin)."""
    if not l1_blocks:
        return UNDECIDED
    epoch = l1_blocks[0]
    holocene = cfg.is_holocene_active(inclusion_block.timestamp)
    next_timestamp = safe_head.timestamp + cfg.block_time
    if batch.timestamp > next_timestamp:
        return Verdict.drop(DropReason.FUTURE_TIMESTAMP_HOLOCENE) if holocene else FUTURE
    if batch.timestamp < next_timestamp:
        return PAST if holocene else Verdict.drop(DropReason.PAST_TIMESTAMP)
    if batch.parent_hash != safe_head.hash:
        return Verdict.drop(DropReason.PARENT_HASH_MISMATCH)
    if batch.epoch_num + cfg.seq_window_size < inclusion_block.number:
        return Verdict.drop(DropReason.INCLUDED_TOO_LATE)
    batch_origin = epoch
    if batch.epoch_num < epoch.number:
        return Verdict.drop(DropReason.EPOCH_TOO_OLD)
    if batch.epoch_num == epoch.number + 1:
        if len(l1_blocks) < 2:
            return UNDECIDED
        batch_origin = l1_blocks[1]
    elif batch.epoch_num != epoch.number:
        return Verdict.drop(DropReason.EPOCH_TOO_FAR_IN_FUTURE)
    if batch.epoch_hash != batch_origin.hash:
        return Verdict.drop(DropReason.EPOCH_HASH_MISMATCH)
    if batch.timestamp < batch_origin.timestamp:
        return Verdict.drop(DropReason.TIMESTAMP_BEFORE_L1_ORIGIN)
    max_time = batch_origin.timestamp + cfg.max_sequencer_drift_at(batch_origin.timestamp)
    if batch.timestamp > max_time:
        if batch.transactions:
            return Verdict.drop(DropReason.SEQUENCER_DRIFT_EXCEEDED)
        if epoch.number == batch_origin.number:
            if len(l1_blocks) < 2:
                return UNDECIDED
            if batch.timestamp >= l1_blocks[1].timestamp:
                return Verdict.drop(DropReason.SEQUENCER_DRIFT_NOT_ADOPTED_NEXT_ORIGIN)
    if batch.transactions and (
        cfg.is_first_jovian_block(batch.timestamp) or cfg.is_first_interop_block(batch.timestamp)
    ):
        return Verdict.drop(DropReason.NON_EMPTY_TRANSITION_BLOCK)
    return _check_transactions(cfg, batch.timestamp, batch.transactions)


async def check_span_batch_prefix(
    cfg: RollupConfig,
    l1_blocks: Sequence[BlockInfo],
    safe_head: L2BlockInfo,
    batch: SpanBatch,
    inclusion_block: BlockInfo,
    l2: L2ChainProvider,
) -> tuple[Verdict, L2BlockInfo | None]:
    """The span-batch checks that do not look at each block (protocol/delta/span-batches.md);
    on accept also returns the L2 block the span builds on."""
    if not l1_blocks or not batch.batches:
        return UNDECIDED, None
    epoch = l1_blocks[0]
    holocene = cfg.is_holocene_active(inclusion_block.timestamp)
    next_timestamp = safe_head.timestamp + cfg.block_time
    start_epoch = batch.starting_epoch_num()
    batch_origin = epoch
    if start_epoch == epoch.number + 1:
        if len(l1_blocks) < 2:
            return UNDECIDED, None
        batch_origin = l1_blocks[1]
    if not cfg.is_delta_active(batch_origin.timestamp):
        return Verdict.drop(DropReason.SPAN_BATCH_PRE_DELTA), None
    start_ts = batch.starting_timestamp()
    if start_ts > next_timestamp:
        return (Verdict.drop(DropReason.FUTURE_TIMESTAMP_HOLOCENE) if holocene else FUTURE), None
    if batch.final_timestamp() < next_timestamp:
        return (PAST if holocene else Verdict.drop(DropReason.SPAN_BATCH_NO_NEW_BLOCKS)), None
    parent = safe_head
    if start_ts < next_timestamp:
        if start_ts > safe_head.timestamp:
            return Verdict.drop(DropReason.SPAN_BATCH_MISALIGNED_TIMESTAMP), None
        if (safe_head.timestamp - start_ts) % cfg.block_time:
            return Verdict.drop(DropReason.SPAN_BATCH_NOT_OVERLAPPED_EXACTLY), None
        parent_num = safe_head.number - (safe_head.timestamp - start_ts) // cfg.block_time - 1
        try:
            parent = await l2.l2_block_info_by_number(parent_num)
        except PipelineError:
            return UNDECIDED, None
    if not batch.check_parent_hash(parent.hash):
        return Verdict.drop(DropReason.PARENT_HASH_MISMATCH), None
    if start_epoch + cfg.seq_window_size < inclusion_block.number:
        return Verdict.drop(DropReason.INCLUDED_TOO_LATE), None
    if start_epoch > parent.l1_origin.number + 1:
        return Verdict.drop(DropReason.EPOCH_TOO_FAR_IN_FUTURE), None
    end_epoch = batch.batches[-1].epoch_num
    for block in l1_blocks:
        if block.number == end_epoch:
            if not batch.check_origin_hash(block.hash):
                return Verdict.drop(DropReason.EPOCH_HASH_MISMATCH), None
            break
    else:
        return UNDECIDED, None
    if start_epoch < parent.l1_origin.number:
        return Verdict.drop(DropReason.EPOCH_TOO_OLD), None
    return ACCEPT, parent


async def check_span_batch(
    cfg: RollupConfig,
    l1_blocks: Sequence[BlockInfo],
    safe_head: L2BlockInfo,
    batch: SpanBatch,
    inclusion_block: BlockInfo,
    l2: L2ChainProvider,
) -> Verdict:
    """The full pre-Holocene validity of a span batch: prefix checks, each block after the safe
    head, and the overlap with the safe chain."""
    verdict, parent = await check_span_batch_prefix(cfg, l1_blocks, safe_head, batch, inclusion_block, l2)
    if verdict.validity is not BatchValidity.ACCEPT or parent is None:
        return verdict
    origin_index = 0
    origin_advanced = batch.starting_epoch_num() == parent.l1_origin.number + 1
    for i, element in enumerate(batch.batches):
        if element.timestamp <= safe_head.timestamp:
            continue
        if element.epoch_num < safe_head.l1_origin.number:
            return Verdict.drop(DropReason.L1_ORIGIN_BEFORE_SAFE_HEAD)
        for j in range(origin_index, len(l1_blocks)):
            if l1_blocks[j].number == element.epoch_num:
                origin_index = j
                break
        else:
            return Verdict.drop(DropReason.MISSING_L1_ORIGIN)
        l1_origin = l1_blocks[origin_index]
        if i > 0:
            origin_advanced = element.epoch_num > batch.batches[i - 1].epoch_num
        if element.timestamp < l1_origin.timestamp:
            return Verdict.drop(DropReason.TIMESTAMP_BEFORE_L1_ORIGIN)
        if element.timestamp > l1_origin.timestamp + cfg.max_sequencer_drift_at(l1_origin.timestamp):
            if element.transactions:
                return Verdict.drop(DropReason.SEQUENCER_DRIFT_EXCEEDED)
            if not origin_advanced:
                if origin_index + 1 >= len(l1_blocks):
                    return UNDECIDED
                if element.timestamp >= l1_blocks[origin_index + 1].timestamp:
                    return Verdict.drop(DropReason.SEQUENCER_DRIFT_NOT_ADOPTED_NEXT_ORIGIN)
        tx_verdict = _check_transactions(cfg, element.timestamp, element.transactions)
        if tx_verdict.validity is not BatchValidity.ACCEPT:
            return tx_verdict
    next_timestamp = safe_head.timestamp + cfg.block_time
    if batch.starting_timestamp() < next_timestamp:
        for k in range(safe_head.number - parent.number):
            number = parent.number + k + 1
            try:
                block = await l2.block_by_number(number)
                ref = await l2.l2_block_info_by_number(number)
            except PipelineError:
                return UNDECIDED
            user_txs = [tx for tx in block.transactions if not tx or tx[0] != DEPOSIT_TX_TYPE]
            element = batch.batches[k]
            if len(user_txs) != len(element.transactions):
                return Verdict.drop(DropReason.OVERLAPPED_TX_COUNT_MISMATCH)
            if any(a != b for a, b in zip(user_txs, element.transactions, strict=True)):
                return Verdict.drop(DropReason.OVERLAPPED_TX_MISMATCH)
            if ref.l1_origin.number != element.epoch_num:
                return Verdict.drop(DropReason.OVERLAPPED_L1_ORIGIN_MISMATCH)
    return ACCEPT
