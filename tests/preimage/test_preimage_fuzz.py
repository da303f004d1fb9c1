"""Fuzzing the decoders and the servers with random bytes: only PreimageError may escape."""

from __future__ import annotations

import contextlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from mauna.errors import PreimageError
from mauna.preimage import Hint, HintReader, MemoryOracle, OracleClient, OracleServer, PreimageKey
from mauna.preimage.keys import keccak256_key_for


@given(st.binary(max_size=64))
def test_key_decoder(raw: bytes) -> None:
    with contextlib.suppress(PreimageError):
        PreimageKey.decode(raw)


@given(st.binary(max_size=200))
def test_hint_decoder(payload: bytes) -> None:
    try:
        hint = Hint.decode(payload)
    except PreimageError:
        return
    assert Hint.decode(hint.encode()) == hint


def _framed_hints() -> st.SearchStrategy[bytes]:
    """Mostly well-framed hints with random payloads, plus arbitrary tails."""
    frame = st.binary(max_size=60).map(lambda p: len(p).to_bytes(4, "big") + p)
    return st.tuples(st.lists(frame, max_size=5), st.binary(max_size=12)).map(lambda t: b"".join(t[0]) + t[1])


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=300), _framed_hints()))
def test_hint_reader(stream: bytes) -> None:
    routed: list[tuple[str, bytes]] = []
    acks = io.BytesIO()
    reader = HintReader(io.BytesIO(stream), acks, lambda t, d: routed.append((t, d)))
    handled = 0
    try:
        while reader.next_hint():
            handled += 1
    except PreimageError:
        pass
    assert len(routed) == handled
    assert set(acks.getvalue()) <= {0}


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_oracle_server(stream: bytes) -> None:
    known = keccak256_key_for(b"hello")
    server = OracleServer(io.BytesIO(stream), io.BytesIO(), MemoryOracle({known: b"hello"}))
    with contextlib.suppress(PreimageError):
        server.serve_forever()


@settings(max_examples=200)
@given(st.binary(max_size=100), st.sampled_from([b"", b"\x00" * 7, bytes(8), (5).to_bytes(8, "big")]))
def test_oracle_client(tail: bytes, head: bytes) -> None:
    client = OracleClient(io.BytesIO(head + tail), io.BytesIO())
    with contextlib.suppress(PreimageError):
        client.get(keccak256_key_for(b"hello"))
