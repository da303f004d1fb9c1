"""Versioned batches: ``batch_version ++ content``, the content of one channel RLP item.

Spec: protocol/derivation.md, "Batch Format" (version 0: singular batch) and
protocol/delta/span-batches.md, "Span batch format" (version 1: span batch).
"""

from __future__ import annotations

from mauna.errors import BatchError
from mauna.protocol.batch.constants import SINGLE_BATCH_TYPE, SPAN_BATCH_TYPE
from mauna.protocol.batch.single import SingleBatch, decode_single_canonical, single_batch_from_fields
from mauna.protocol.batch.span import RawSpanBatch, SpanBatch


def decode_batch(data: bytes, *, max_size: int | None = None) -> SingleBatch | RawSpanBatch:
    """Decode ``batch_version ++ content``; an unknown version or malformed content raises BatchError.

    ``max_size`` optionally bounds a span batch's size (``MAX_RLP_BYTES_PER_CHANNEL``).
    """
    if type(data) is bytes and data[:1] == b"\x00":
        fields = decode_single_canonical(data)
        if fields is not None:
            return single_batch_from_fields(fields)
    data = bytes(data)
    if not data:
        raise BatchError("batch: empty data, no batch type")
    batch_type = data[0]
    if batch_type == SINGLE_BATCH_TYPE:
        return SingleBatch.decode(data)
    if batch_type == SPAN_BATCH_TYPE:
        return RawSpanBatch.decode(data[1:], max_size=max_size)
    raise BatchError(f"batch: unrecognized batch type {batch_type}")


def encode_batch(batch: SingleBatch | RawSpanBatch | SpanBatch) -> bytes:
    """``batch_version ++ content`` of a singular or span batch (a SpanBatch is packed first)."""
    if isinstance(batch, SingleBatch):
        return batch.encode()
    if isinstance(batch, SpanBatch):
        batch = batch.to_raw()
    return bytes([SPAN_BATCH_TYPE]) + batch.encode()
