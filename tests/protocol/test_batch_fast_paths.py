"""The one-pass decoders (RLP, singular and span batches, zlib channel streaming) against the general
paths they shortcut: for valid and mutated inputs, the same result or the same error."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import MaunaError
from mauna.primitives.rlp_utils import MAX_RLP_DECODE_DEPTH, rlp_decode, rlp_decode_canonical, rlp_encode
from mauna.protocol import channel as channel_mod
from mauna.protocol.batch import RawSpanBatch, SingleBatch, decode_batch, encode_batch
from mauna.protocol.batch import span as span_mod
from mauna.protocol.batch.single import decode_single_canonical
from mauna.protocol.channel import read_channel_detailed

KONA = Path(__file__).resolve().parents[1] / "fixtures/kona/derive"

rlp_items = st.recursive(
    st.binary(max_size=70),
    lambda children: st.lists(children, max_size=5),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "append"]))
        if kind == "append":
            data += draw(st.binary(min_size=1, max_size=3))
            continue
        if not data:
            continue
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] = draw(st.integers(0, 255))
        elif kind == "insert":
            data.insert(i, draw(st.integers(0, 255)))
        elif kind == "delete":
            del data[i]
        else:
            del data[i:]
    return bytes(data)


def _oracle(data: bytes) -> Any:
    try:
        return rlp.decode(data, strict=True)
    except Exception:
        return None


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args, **kwargs)
    except MaunaError as exc:
        return type(exc).__name__, str(exc)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_rlp_decode_matches_rlp_package(data: st.DataObject) -> None:
    encoded = rlp_encode(data.draw(rlp_items))
    raw = data.draw(st.one_of(st.just(encoded), mutated(encoded)))
    fast = rlp_decode_canonical(raw, MAX_RLP_DECODE_DEPTH)
    if fast is not None:
        assert fast == _oracle(raw)
    expected = _oracle(raw)
    kind, got = _outcome(rlp_decode, raw)
    if expected is None:
        assert kind == "DecodeError"
    else:
        assert (kind, got) == ("ok", expected)


def test_rlp_decode_canonical_depth_bound() -> None:
    nested: Any = []
    for _ in range(MAX_RLP_DECODE_DEPTH):
        nested = [nested]
    assert rlp_decode_canonical(rlp_encode(nested), MAX_RLP_DECODE_DEPTH) is None
    assert rlp_decode_canonical(rlp_encode(nested[0]), MAX_RLP_DECODE_DEPTH) == nested[0]


single_batches = st.builds(
    SingleBatch,
    st.binary(min_size=32, max_size=32),
    st.integers(0, (1 << 64) - 1),
    st.binary(min_size=32, max_size=32),
    st.integers(0, (1 << 64) - 1),
    st.lists(st.binary(max_size=300), max_size=6).map(tuple),
)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_single_batch_fast_path_matches_general_path(data: st.DataObject) -> None:
    encoded = encode_batch(data.draw(single_batches)) + data.draw(st.binary(max_size=2))
    raw = data.draw(st.one_of(st.just(encoded), mutated(encoded)))
    general = _outcome(SingleBatch.decode, bytearray(raw))  # not bytes: the general path
    assert _outcome(SingleBatch.decode, raw) == general
    if raw[:1] == b"\x00":
        assert _outcome(decode_batch, raw) == general
    fields = decode_single_canonical(raw)
    if fields is not None:
        assert general == ("ok", SingleBatch(*fields))


def _span_general(raw: bytes) -> tuple[str, Any]:
    with mock.patch.object(span_mod, "_decode_canonical", lambda data: None):
        return _outcome(RawSpanBatch.decode, raw)


SPAN = bytes.fromhex((KONA / "batch.hex").read_text().strip().removeprefix("0x"))


@pytest.fixture(scope="module")
def span_payload() -> bytes:
    return read_channel_detailed(SPAN, 10**8, fjord=True).batches[0][1:]


def test_span_fast_path_matches_general_path_on_real_batch(span_payload: bytes) -> None:
    assert _outcome(RawSpanBatch.decode, span_payload) == _span_general(span_payload)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_span_fast_path_matches_general_path_mutated(data: st.DataObject) -> None:
    payload = read_channel_detailed(SPAN, 10**8, fjord=True).batches[0][1:]
    # mutate near the start (prefix and counts) or anywhere
    head = data.draw(st.integers(0, 4000))
    cut = payload[:head]
    raw = data.draw(mutated(cut)) + payload[head:]
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    assert _outcome(RawSpanBatch.decode, raw) == _span_general(raw)


def _channel_general(raw: bytes) -> tuple[str, Any]:
    with mock.patch.object(channel_mod, "_read_zlib_stream", lambda data, limit: None):
        return _outcome(read_channel_detailed, raw, 10**6, fjord=True)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_zlib_channel_streaming_matches_general_path(data: st.DataObject) -> None:
    items = data.draw(st.lists(st.binary(min_size=0, max_size=3000), max_size=30))
    stream = b"".join(rlp_encode(b"\x00" + item) for item in items)
    compressed = zlib.compress(stream, 6)
    raw = data.draw(st.one_of(st.just(compressed), mutated(compressed)))
    if not raw:
        return
    assert _outcome(read_channel_detailed, raw, 10**6, fjord=True) == _channel_general(raw)
