"""Fuzz the batch decoders: random and mutated real bytes raise only the typed errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mauna.errors import BatchError, TransactionError
from mauna.protocol.batch import (
    RawSpanBatch,
    SignedTx,
    SingleBatch,
    SpanBatchTxData,
    decode_batch,
)

KONA = Path(__file__).parents[1] / "fixtures" / "kona"
RAW_SPAN = (KONA / "protocol" / "raw_span_batch.hex").read_bytes()
# The same raw span batch's transactions, rebuilt (chain id 981), as fuzz seeds for SignedTx.
SEED_TXS = [tx for b in RawSpanBatch.decode(RAW_SPAN).derive(2, 0, 981).batches for tx in b.transactions]
SEED_SINGLE = SingleBatch(b"\x01" * 32, 7, b"\x02" * 32, 1234, tuple(SEED_TXS[:5])).encode()

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few byte flips, an insertion, a deletion and/or a truncation."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 4))]
        else:
            del data[pos:]
    return bytes(data)


def _decode_span_fully(data: bytes) -> None:
    """Decode, derive and re-pack; only BatchError may escape."""
    try:
        raw = RawSpanBatch.decode(data)
        raw.encode()
        span = raw.derive(2, 0, 981)
        span.to_raw()
    except BatchError:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
def test_decode_batch_random_bytes(data: bytes) -> None:
    for candidate in (data, b"\x00" + data, b"\x01" + data):
        with contextlib.suppress(BatchError):
            decode_batch(candidate)


@FUZZ
@given(data=st.binary(max_size=300))
def test_span_batch_random_bytes(data: bytes) -> None:
    _decode_span_fully(data)
    # a valid prefix and a small block count make the decoder reach the txs section
    _decode_span_fully(b"\x00\x00" + b"\x00" * 40 + b"\x02" + data)


@FUZZ
@given(data=mutated(RAW_SPAN))
def test_span_batch_mutated_real_bytes(data: bytes) -> None:
    _decode_span_fully(data)


@FUZZ
@given(data=mutated(SEED_SINGLE))
def test_single_batch_mutated(data: bytes) -> None:
    with contextlib.suppress(BatchError):
        decode_batch(data)


@FUZZ
@given(seed=st.sampled_from(SEED_TXS), data=st.data())
def test_signed_tx_mutated(seed: bytes, data: st.DataObject) -> None:
    candidate = data.draw(mutated(seed))
    with contextlib.suppress(TransactionError):
        SignedTx.decode(candidate).encode()


@FUZZ
@given(data=st.binary(max_size=120))
def test_tx_decoders_random_bytes(data: bytes) -> None:
    for prefix in (b"", b"\x01", b"\x02", b"\x04"):
        with contextlib.suppress(TransactionError):
            SignedTx.decode(prefix + data)
        with contextlib.suppress(BatchError):
            SpanBatchTxData.decode(prefix + data)
