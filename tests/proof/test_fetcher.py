"""The online fetcher against a small JSON-RPC stand-in served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from mauna.preimage.hints import HintType
from mauna.preimage.keys import keccak256_key, precompile_key
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.proof.errors import HostError
from mauna.proof.host.fetcher import JsonRpc, OnlineFetcher
from mauna.proof.host.kv import MemoryKeyValueStore
from mauna.proof.host.server import HostServer
from mauna.proof.scenario import ProofCase, load_case
from mauna.proof.trie_walk import walk_ordered_list

CASE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "proof" / "case"


class _Node:
    """Answers debug_getRawBlock / debug_dbGet from the stored case."""

    def __init__(self, case: ProofCase) -> None:
        self.case = case
        self.calls: list[str] = []

    def get(self, digest: bytes) -> bytes | None:
        return self.case.preimages.get(keccak256_key(digest).encode())

    def handle(self, method: str, params: list[Any]) -> Any:
        self.calls.append(method)
        if method == "debug_dbGet":
            value = self.get(bytes.fromhex(params[0][2:]))
            if value is None:
                raise KeyError("not found")
            return "0x" + value.hex()
        if method == "debug_getRawBlock":
            block_hash = bytes.fromhex(params[0][2:])
            header = self.get(block_hash)
            if header is None:
                raise KeyError("not found")
            fields = rlp_decode(header)
            txs = walk_ordered_list(fields[4], lambda h: self.get(h) or b"")
            return "0x" + rlp_encode([fields, txs, []]).hex()
        raise KeyError(f"method {method} not served")


@pytest.fixture(scope="module")
def node() -> Iterator[tuple[str, _Node]]:
    stand_in = _Node(load_case(CASE_DIR))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            try:
                reply = {
                    "jsonrpc": "2.0",
                    "id": body["id"],
                    "result": stand_in.handle(body["method"], body["params"]),
                }
            except KeyError as exc:
                reply = {"jsonrpc": "2.0", "id": body["id"], "error": {"code": -32000, "message": str(exc)}}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", stand_in
    server.shutdown()
    server.server_close()


def test_l1_header_and_transactions(node: tuple[str, _Node]) -> None:
    url, stand_in = node
    kv = MemoryKeyValueStore()
    fetcher = OnlineFetcher(kv, JsonRpc(url), JsonRpc(url))
    case = stand_in.case
    fetcher(HintType.L1_TRANSACTIONS.value, case.l1_head)
    header = kv.get(keccak256_key(case.l1_head))
    assert header == case.preimages[keccak256_key(case.l1_head).encode()]
    tx_root = rlp_decode(header)[4]
    txs = walk_ordered_list(tx_root, lambda h: kv.get(keccak256_key(h)) or b"")
    assert len(txs) == 1 and txs[0][0] == 2  # the batcher's EIP-1559 transaction
    assert "debug_getRawBlock" in stand_in.calls


def test_l2_state_node_and_header(node: tuple[str, _Node]) -> None:
    url, stand_in = node
    kv = MemoryKeyValueStore()
    fetcher = OnlineFetcher(kv, None, JsonRpc(url))
    case = stand_in.case
    fetcher(HintType.L2_BLOCK_HEADER.value, case.agreed_head_hash)
    header = kv.get(keccak256_key(case.agreed_head_hash))
    assert header is not None
    state_root = rlp_decode(header)[3]
    fetcher(HintType.L2_STATE_NODE.value, state_root)
    assert kv.get(keccak256_key(state_root)) == case.preimages[keccak256_key(state_root).encode()]


def test_errors_are_named(node: tuple[str, _Node]) -> None:
    url, _ = node
    fetcher = OnlineFetcher(MemoryKeyValueStore(), None, JsonRpc(url))
    with pytest.raises(HostError, match="debug_dbGet"):
        fetcher(HintType.L2_STATE_NODE.value, b"\x01" * 32)
    with pytest.raises(HostError, match="needs a node address"):
        fetcher(HintType.L1_BLOCK_HEADER.value, b"\x01" * 32)
    with pytest.raises(HostError, match="unsupported hint type"):
        fetcher("l2-nonsense", b"")


def test_precompile_hint_is_computed_locally() -> None:
    kv = MemoryKeyValueStore()
    fetcher = OnlineFetcher(kv, None, None)
    sha256_address = b"\x00" * 19 + b"\x02"
    fetcher(HintType.L1_PRECOMPILE_V2.value, sha256_address + (100_000).to_bytes(8, "big") + b"abc")
    value = kv.get(precompile_key(sha256_address, b"abc", 100_000))
    assert value == bytes.fromhex("01ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_host_server_routes_hints_over_pipes(node: tuple[str, _Node]) -> None:
    from mauna.preimage.channel import bidirectional_pipe
    from mauna.preimage.hints import HintWriter
    from mauna.preimage.oracle import OracleClient

    url, stand_in = node
    kv = MemoryKeyValueStore()
    hint_client, hint_host = bidirectional_pipe()
    pre_client, pre_host = bidirectional_pipe()
    server = HostServer(kv, hint_host, pre_host, hint_handler=OnlineFetcher(kv, JsonRpc(url), None))
    server.start()
    try:
        HintWriter(hint_client.reader, hint_client.writer).hint(
            HintType.L1_BLOCK_HEADER, stand_in.case.l1_head
        )
        value = OracleClient(pre_client.reader, pre_client.writer).get(keccak256_key(stand_in.case.l1_head))
        assert value == stand_in.case.preimages[keccak256_key(stand_in.case.l1_head).encode()]
    finally:
        hint_client.close()
        pre_client.close()
        server.join(5)
    assert server.stats.hints == 1 and server.stats.preimages == 1
