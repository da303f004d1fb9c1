"""The pre-image oracle wire protocol over real pipes, with bytes written out from the spec."""

from __future__ import annotations

import io
import os

import pytest
from _wire import Background, Pipes, read_exact

from mauna.preimage import (
    CachingOracle,
    MemoryOracle,
    OracleClient,
    OracleServer,
    PreimageIOError,
    PreimageKey,
    PreimageKeyError,
    PreimageMismatchError,
    PreimageNotFoundError,
    VerifyingOracle,
    keccak256_key_for,
    local_key,
    verifying_fetcher,
)
from mauna.preimage.oracle import encode_response

# 0x02 ‖ keccak256("hello")[1:]
HELLO_KEY = bytes.fromhex("028aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8")
# <length prefix: uint64 BE 5> ‖ "hello"
HELLO_RESPONSE = bytes.fromhex("0000000000000005" + "68656c6c6f")


def test_response_encoding() -> None:
    assert encode_response(b"hello") == HELLO_RESPONSE
    assert encode_response(b"") == bytes(8)


def test_client_against_hand_written_server(pipes: Pipes) -> None:
    def raw_host() -> bytes:
        request = read_exact(pipes.host.reader, 32)
        os.write(pipes.host.writer, HELLO_RESPONSE)
        return request

    host = Background(raw_host)
    client = OracleClient(pipes.client.reader, pipes.client.writer)
    assert client.get(keccak256_key_for(b"hello")) == b"hello"
    assert host.join() == HELLO_KEY


def test_server_against_hand_written_client(pipes: Pipes) -> None:
    store = MemoryOracle({PreimageKey.decode(HELLO_KEY): b"hello"})
    server = OracleServer(pipes.host.reader, pipes.host.writer, store)
    os.write(pipes.client.writer, HELLO_KEY)
    pipes.close(pipes.client.writer)
    assert server.serve_forever() == 1
    pipes.close(pipes.host.writer)
    assert os.read(pipes.client.reader, 100) == HELLO_RESPONSE
    assert os.read(pipes.client.reader, 100) == b""


def test_server_handles_key_arriving_byte_by_byte(pipes: Pipes) -> None:
    store = MemoryOracle({PreimageKey.decode(HELLO_KEY): b"hello"})
    server = OracleServer(pipes.host.reader, pipes.host.writer, store)
    host = Background(server.serve_one)
    for b in HELLO_KEY:
        os.write(pipes.client.writer, bytes([b]))
    assert host.join() is True
    assert read_exact(pipes.client.reader, len(HELLO_RESPONSE)) == HELLO_RESPONSE


def test_client_reads_a_dribbling_server(pipes: Pipes) -> None:
    """The spec lets a server return as few bytes per read as it likes."""
    value = bytes(range(256)) * 3
    key = keccak256_key_for(value)

    def dribbling_host() -> None:
        read_exact(pipes.host.reader, 32)
        for b in encode_response(value):
            os.write(pipes.host.writer, bytes([b]))

    host = Background(dribbling_host)
    assert OracleClient(pipes.client.reader, pipes.client.writer).get(key) == value
    host.join()


def test_client_server_round_trip(pipes: Pipes) -> None:
    big = os.urandom(3 << 20)  # larger than a pipe buffer: short reads and writes on both sides
    values = [b"", b"hello", big, b"\x00" * 33]
    store = MemoryOracle({keccak256_key_for(v): v for v in values})
    boot = local_key(1)
    store.insert(boot, b"\x11" * 32)
    server = OracleServer(pipes.host.reader, pipes.host.writer, store)
    host = Background(server.serve_forever)

    client = OracleClient(pipes.client.reader, pipes.client.writer)
    for v in values:
        assert client.get(keccak256_key_for(v)) == v
    assert client.get(boot) == b"\x11" * 32
    assert client.get(keccak256_key_for(b"hello")) == b"hello"
    pipes.close(pipes.client.writer)
    assert host.join() == 6


def test_wrong_preimage_raises_mismatch_naming_key(pipes: Pipes) -> None:
    key = keccak256_key_for(b"hello")
    lying = OracleServer(pipes.host.reader, pipes.host.writer, lambda k: b"jello")
    host = Background(lying.serve_one)
    with pytest.raises(PreimageMismatchError) as info:
        OracleClient(pipes.client.reader, pipes.client.writer).get(key)
    assert info.value.key == key
    assert key.hex() in str(info.value)
    host.join()


def test_unverified_client_returns_what_it_got(pipes: Pipes) -> None:
    key = keccak256_key_for(b"hello")
    host = Background(OracleServer(pipes.host.reader, pipes.host.writer, lambda k: b"jello").serve_one)
    assert OracleClient(pipes.client.reader, pipes.client.writer, verify=False).get(key) == b"jello"
    host.join()


def test_verifying_fetcher_refuses_to_serve_a_wrong_preimage(pipes: Pipes) -> None:
    key = keccak256_key_for(b"hello")
    server = OracleServer(pipes.host.reader, pipes.host.writer, verifying_fetcher(lambda k: b"jello"))
    os.write(pipes.client.writer, key.encode())
    with pytest.raises(PreimageMismatchError):
        server.serve_one()


def test_client_eof_before_response(pipes: Pipes) -> None:
    def closing_host() -> None:
        read_exact(pipes.host.reader, 32)
        pipes.close(pipes.host.writer)

    host = Background(closing_host)
    with pytest.raises(PreimageIOError, match="stream closed"):
        OracleClient(pipes.client.reader, pipes.client.writer).get(keccak256_key_for(b"x"))
    host.join()


def test_client_eof_mid_response(pipes: Pipes) -> None:
    def truncating_host() -> None:
        read_exact(pipes.host.reader, 32)
        os.write(pipes.host.writer, HELLO_RESPONSE[:10])
        pipes.close(pipes.host.writer)

    host = Background(truncating_host)
    with pytest.raises(PreimageIOError, match="after 2 of 5 bytes"):
        OracleClient(pipes.client.reader, pipes.client.writer).get(keccak256_key_for(b"hello"))
    host.join()


def test_client_write_to_closed_host(pipes: Pipes) -> None:
    pipes.close(pipes.host.reader)
    with pytest.raises(PreimageIOError, match="write failed"):
        OracleClient(pipes.client.reader, pipes.client.writer).get(keccak256_key_for(b"x"))


def test_server_clean_eof(pipes: Pipes) -> None:
    pipes.close(pipes.client.writer)
    server = OracleServer(pipes.host.reader, pipes.host.writer, MemoryOracle())
    assert server.serve_one() is False
    assert server.serve_forever() == 0


def test_server_partial_key(pipes: Pipes) -> None:
    os.write(pipes.client.writer, HELLO_KEY[:10])
    pipes.close(pipes.client.writer)
    with pytest.raises(PreimageIOError, match="after 10 of 32 bytes"):
        OracleServer(pipes.host.reader, pipes.host.writer, MemoryOracle()).serve_one()


def test_server_bad_key_type(pipes: Pipes) -> None:
    os.write(pipes.client.writer, b"\x00" * 32)
    with pytest.raises(PreimageKeyError):
        OracleServer(pipes.host.reader, pipes.host.writer, MemoryOracle()).serve_one()


def test_server_fetcher_error_propagates_and_writes_nothing(pipes: Pipes) -> None:
    key = keccak256_key_for(b"missing")
    os.write(pipes.client.writer, key.encode())
    with pytest.raises(PreimageNotFoundError) as info:
        OracleServer(pipes.host.reader, pipes.host.writer, MemoryOracle()).serve_one()
    assert info.value.key == key
    pipes.close(pipes.host.writer)
    assert os.read(pipes.client.reader, 10) == b""


def test_non_blocking_client_descriptor(pipes: Pipes) -> None:
    """op-program puts the client descriptors in non-blocking mode; reads must still block."""
    os.set_blocking(pipes.client.reader, False)
    key = PreimageKey.decode(HELLO_KEY)
    server = OracleServer(pipes.host.reader, pipes.host.writer, MemoryOracle({key: b"hello"}))
    host = Background(server.serve_one)
    assert OracleClient(pipes.client.reader, pipes.client.writer).get(key) == b"hello"
    host.join()


def test_binary_file_objects() -> None:
    responses = io.BytesIO(HELLO_RESPONSE + encode_response(b""))
    requests = io.BytesIO()
    client = OracleClient(responses, requests)
    assert client.get(keccak256_key_for(b"hello")) == b"hello"
    assert client.get(local_key(3)) == b""
    assert requests.getvalue() == HELLO_KEY + local_key(3).encode()
    with pytest.raises(PreimageIOError):
        client.get(local_key(3))


def test_channel_rejects_non_streams() -> None:
    with pytest.raises(TypeError):
        OracleClient("not a stream", 1)  # type: ignore[arg-type]


class CountingOracle:
    def __init__(self, inner: MemoryOracle) -> None:
        self.inner = inner
        self.calls = 0

    def get(self, key: PreimageKey) -> bytes:
        self.calls += 1
        return self.inner.get(key)


def test_caching_oracle_lru() -> None:
    values = [bytes([i]) for i in range(4)]
    keys = [keccak256_key_for(v) for v in values]
    counting = CountingOracle(MemoryOracle(dict(zip(keys, values, strict=True))))
    cache = CachingOracle(counting, capacity=2)
    assert cache.get(keys[0]) == values[0]
    assert cache.get(keys[0]) == values[0]
    assert counting.calls == 1
    cache.get(keys[1])
    cache.get(keys[0])  # keys[0] is now most recent
    cache.get(keys[2])  # evicts keys[1]
    assert keys[0] in cache and keys[2] in cache and keys[1] not in cache
    assert len(cache) == 2
    calls = counting.calls
    cache.get(keys[1])
    assert counting.calls == calls + 1
    cache.flush()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        CachingOracle(counting, capacity=0)


def test_caching_oracle_does_not_cache_failures() -> None:
    cache = CachingOracle(MemoryOracle())
    with pytest.raises(PreimageNotFoundError):
        cache.get(local_key(1))
    assert len(cache) == 0


def test_verifying_oracle() -> None:
    key = keccak256_key_for(b"hello")
    assert VerifyingOracle(MemoryOracle({key: b"hello"})).get(key) == b"hello"
    with pytest.raises(PreimageMismatchError):
        VerifyingOracle(MemoryOracle({key: b"hullo"})).get(key)
