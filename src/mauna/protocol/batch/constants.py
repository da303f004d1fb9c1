"""Batch format constants.

Spec: protocol/derivation.md ("Batch Format" table of ``batch_version``s, "Protocol Parameters":
``MAX_SPAN_BATCH_ELEMENT_COUNT``) and protocol/delta/span-batches.md ("Span Batch Size Limits").
"""

from __future__ import annotations

#: ``batch_version`` of a singular (v0) batch.
SINGLE_BATCH_TYPE = 0
#: ``batch_version`` of a span batch (Delta).
SPAN_BATCH_TYPE = 1

#: Maximum number of blocks in a span batch, of transactions in one of its blocks, and of
#: transactions in the whole span batch (protocol/derivation.md, "Protocol Parameters").
MAX_SPAN_BATCH_ELEMENT_COUNT = 10_000_000

#: Length of the truncated hashes ``parent_check`` and ``l1_origin_check``.
SPAN_BATCH_CHECK_LENGTH = 20
