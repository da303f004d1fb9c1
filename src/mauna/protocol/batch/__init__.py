"""OP Stack batches: singular (v0) batches and Delta span batches (v1).

Spec: protocol/derivation.md ("Batch Format"), protocol/delta/span-batches.md and
protocol/isthmus/derivation.md ("Span Batch Updates").

Modules: :mod:`.single` (v0), :mod:`.span` (raw and derived span batches), :mod:`.span_txs` (the
packed ``txs`` section), :mod:`.span_tx` (one ``tx_datas`` element), :mod:`.tx` (signed EIP-2718
user transactions), :mod:`.bitlist`, :mod:`.wire` (uvarint, bounds-checked reads) and
:mod:`.codec` (``batch_version ++ content``).
"""

from mauna.protocol.batch.codec import decode_batch, encode_batch
from mauna.protocol.batch.constants import (
    MAX_SPAN_BATCH_ELEMENT_COUNT,
    SINGLE_BATCH_TYPE,
    SPAN_BATCH_CHECK_LENGTH,
    SPAN_BATCH_TYPE,
)
from mauna.protocol.batch.single import SingleBatch
from mauna.protocol.batch.span import RawSpanBatch, SpanBatch, SpanBatchElement
from mauna.protocol.batch.span_tx import SpanBatchTxData
from mauna.protocol.batch.span_txs import SpanBatchTxs
from mauna.protocol.batch.tx import (
    ACCESS_LIST_TX_TYPE,
    BATCH_TX_TYPES,
    DYNAMIC_FEE_TX_TYPE,
    LEGACY_TX_TYPE,
    SET_CODE_TX_TYPE,
    Authorization,
    SignedTx,
)

__all__ = [
    "ACCESS_LIST_TX_TYPE",
    "BATCH_TX_TYPES",
    "DYNAMIC_FEE_TX_TYPE",
    "LEGACY_TX_TYPE",
    "MAX_SPAN_BATCH_ELEMENT_COUNT",
    "SET_CODE_TX_TYPE",
    "SINGLE_BATCH_TYPE",
    "SPAN_BATCH_CHECK_LENGTH",
    "SPAN_BATCH_TYPE",
    "Authorization",
    "RawSpanBatch",
    "SignedTx",
    "SingleBatch",
    "SpanBatch",
    "SpanBatchElement",
    "SpanBatchTxData",
    "SpanBatchTxs",
    "decode_batch",
    "encode_batch",
]
