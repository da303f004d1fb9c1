"""Channel Reader: decompresses a channel and decodes its batches one at a time.

Spec: protocol/derivation.md "Channel Reader (Batch Decoding)", "Channel Format" and "Batch
Format"; protocol/fjord/derivation.md "Brotli Channel Compression" (by L1 origin time) and the
``MAX_RLP_BYTES_PER_CHANNEL`` increase; protocol/delta/span-batches.md (span batches accepted from
Delta, by the L1 inclusion block time). A channel that cannot be decompressed is dropped; a batch
that cannot be decoded drops the rest of its channel; batches read before are kept.
"""

from __future__ import annotations

from collections import deque

import structlog

from mauna.derive.errors import CriticalError, NotEnoughData
from mauna.derive.signals import Signal, StageSignal
from mauna.derive.stages.channel_mux import ChannelMux
from mauna.errors import ProtocolError
from mauna.genesis.rollup_config import RollupConfig
from mauna.primitives.block import BlockInfo
from mauna.protocol.batch import RawSpanBatch, SingleBatch, SpanBatch, decode_batch

log = structlog.get_logger(__name__)

Batch = SingleBatch | SpanBatch


class ChannelReader:
    """Turns channels into batches."""

    def __init__(self, prev: ChannelMux, rollup_config: RollupConfig) -> None:
        self.prev = prev
        self.rollup_config = rollup_config
        self.pending: deque[bytes] | None = None

    def origin(self) -> BlockInfo | None:
        return self.prev.origin()

    async def advance_origin(self) -> None:
        await self.prev.advance_origin()

    def next_channel(self) -> None:
        self.pending = None

    def flush(self) -> None:
        """Drop the rest of the channel being read (Holocene fast channel invalidation)."""
        self.next_channel()

    async def _open_channel(self, origin: BlockInfo) -> None:
        from mauna.protocol.channel import read_channel

        data = await self.prev.next_data()
        try:
            items = read_channel(
                data,
                self.rollup_config.max_rlp_bytes_per_channel(origin.timestamp),
                fjord=self.rollup_config.is_fjord_active(origin.timestamp),
            )
        except ProtocolError as exc:
            log.warning("dropping channel that cannot be read", l1_block=origin.number, error=str(exc))
            raise NotEnoughData() from exc
        self.pending = deque(bytes(item) for item in items)

    async def next_batch(self) -> Batch:
        origin = self.origin()
        if origin is None:
            raise CriticalError("channel reader: no L1 origin")
        if self.pending is None:
            await self._open_channel(origin)
        assert self.pending is not None
        if not self.pending:
            self.next_channel()
            raise NotEnoughData("channel reader: channel exhausted")
        raw = self.pending.popleft()
        try:
            batch = decode_batch(raw, max_size=self.rollup_config.max_rlp_bytes_per_channel(origin.timestamp))
        except ProtocolError as exc:
            log.warning(
                "dropping rest of channel after undecodable batch", l1_block=origin.number, error=str(exc)
            )
            self.next_channel()
            raise NotEnoughData() from exc
        if isinstance(batch, SingleBatch):
            return batch
        if not self.rollup_config.is_delta_active(origin.timestamp):
            log.warning("dropping span batch included before Delta", l1_block=origin.number)
            raise NotEnoughData()
        return self._derive_span(batch, origin)

    def _derive_span(self, raw: RawSpanBatch, origin: BlockInfo) -> SpanBatch:
        cfg = self.rollup_config
        try:
            return raw.derive(cfg.block_time, cfg.genesis.l2_time, cfg.l2_chain_id)
        except ProtocolError as exc:
            log.warning("dropping span batch that cannot be derived", l1_block=origin.number, error=str(exc))
            raise NotEnoughData() from exc

    async def signal(self, signal: StageSignal) -> None:
        if signal.kind is Signal.FLUSH_CHANNEL:
            self.next_channel()
            return
        await self.prev.signal(signal)
        self.next_channel()
