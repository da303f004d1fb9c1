"""Answering hints from live nodes: an L1 execution RPC, an L1 beacon node and an L2 RPC.

Spec: fault-proof/index.md "Pre-image hinting routes". Each handled hint stores the pre-images it
names in the host's key-value store (keccak-256 keys for RLP headers, trie nodes, code, output
roots; SHA-256 and blob keys for blobs; precompile keys for accelerated precompiles), so the
oracle server can answer the requests that follow. Hint data layouts are kona's; the ones
op-program sends (48-byte ``l1-blob``, ``l2-account-proof`` with the block hash) are accepted too.

RPC methods used: ``debug_getRawBlock`` / ``debug_getRawReceipts`` (L1 and L2 blocks, receipts),
``eth_getBlockByHash`` and ``eth_getProof`` (output roots, account and storage proofs),
``debug_dbGet`` / ``debug_codeByHash`` (state nodes, code), ``debug_executePayload`` (payload
witnesses, op-geth and op-reth), and the beacon API ``/eth/v1/beacon/blob_sidecars/{slot}``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from mauna.errors import DecodeError
from mauna.executor.precompiles import DetachedComputation, op_precompiles
from mauna.preimage.blob import blob_preimages
from mauna.preimage.hints import HintType
from mauna.preimage.keys import keccak256_key, precompile_key
from mauna.primitives.bytes import from_hex, keccak256, to_hex
from mauna.primitives.header import Header
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.proof.errors import HostError
from mauna.proof.host.kv import KeyValueStore
from mauna.proof.trie_walk import ordered_list_nodes
from mauna.protocol.output_root import OutputRootV0

log = structlog.get_logger(__name__)

MESSAGE_PASSER = "0x4200000000000000000000000000000000000016"
CODE_PREFIX = b"c"  # geth's rawdb code key prefix


class RpcError(HostError):
    """A JSON-RPC or beacon request failed."""


class JsonRpc:
    """A minimal synchronous JSON-RPC 2.0 client over HTTP."""

    def __init__(self, url: str, *, timeout: float = 30.0, client: httpx.Client | None = None) -> None:
        self.url = url
        self._client = client or httpx.Client(timeout=timeout)
        self._id = 0

    def call(self, method: str, *params: Any) -> Any:
        self._id += 1
        body = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}
        try:
            response = self._client.post(self.url, json=body)
            response.raise_for_status()
            payload = response.json()
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise RpcError(f"{method} at {self.url}: {exc}") from exc
        if "error" in payload:
            raise RpcError(f"{method} at {self.url}: {payload['error']}")
        return payload.get("result")


@dataclass
class OnlineFetcher:
    """Routes hints to RPC calls and stores the resulting pre-images in ``kv``."""

    kv: KeyValueStore
    l1: JsonRpc | None
    l2: JsonRpc | None
    beacon_url: str | None = None
    agreed_l2_head_hash: bytes | None = None
    http: httpx.Client | None = None

    def __call__(self, hint_type: str, data: bytes) -> None:
        handler = _ROUTES.get(hint_type)
        if handler is None:
            raise HostError(f"unsupported hint type {hint_type!r}")
        handler(self, data)
        log.debug("hint handled", hint=hint_type, data=to_hex(data[:64]))

    # -- storage ---------------------------------------------------------------------------------
    def _put(self, value: bytes) -> None:
        self.kv.set(keccak256_key(keccak256(value)), value)

    def _need(self, rpc: JsonRpc | None, what: str) -> JsonRpc:
        if rpc is None:
            raise HostError(f"{what} needs a node address (offline host)")
        return rpc

    # -- blocks ----------------------------------------------------------------------------------
    def _raw_block(self, rpc: JsonRpc, block_hash: bytes) -> tuple[bytes, list[bytes]]:
        raw = from_hex(rpc.call("debug_getRawBlock", to_hex(block_hash)), what="raw block")
        try:
            block = rlp_decode(raw, what="raw block")
        except DecodeError as exc:
            raise HostError(str(exc)) from exc
        header_rlp = rlp_encode(block[0])
        if keccak256(header_rlp) != block_hash:
            raise HostError(f"block 0x{block_hash.hex()} from the node hashes differently")
        txs = [tx if isinstance(tx, bytes) else rlp_encode(tx) for tx in block[1]]
        return header_rlp, txs

    def _header(self, rpc: JsonRpc, data: bytes) -> None:
        header_rlp, _ = self._raw_block(rpc, data[:32])
        self._put(header_rlp)

    def _transactions(self, rpc: JsonRpc, data: bytes) -> None:
        header_rlp, txs = self._raw_block(rpc, data[:32])
        self._put(header_rlp)
        for node in ordered_list_nodes(txs).values():
            self._put(node)

    def _receipts(self, rpc: JsonRpc, data: bytes) -> None:
        raws = [from_hex(r, what="raw receipt") for r in rpc.call("debug_getRawReceipts", to_hex(data[:32]))]
        for node in ordered_list_nodes(raws).values():
            self._put(node)

    def l1_block_header(self, data: bytes) -> None:
        self._header(self._need(self.l1, "l1-block-header"), data)

    def l1_transactions(self, data: bytes) -> None:
        self._transactions(self._need(self.l1, "l1-transactions"), data)

    def l1_receipts(self, data: bytes) -> None:
        self._receipts(self._need(self.l1, "l1-receipts"), data)

    def l2_block_header(self, data: bytes) -> None:
        self._header(self._need(self.l2, "l2-block-header"), data)

    def l2_transactions(self, data: bytes) -> None:
        self._transactions(self._need(self.l2, "l2-transactions"), data)

    def l2_receipts(self, data: bytes) -> None:
        self._receipts(self._need(self.l2, "l2-receipts"), data)

    # -- L2 state --------------------------------------------------------------------------------
    def l2_code(self, data: bytes) -> None:
        rpc = self._need(self.l2, "l2-code")
        code_hash = data[:32]
        try:
            code = from_hex(rpc.call("debug_codeByHash", to_hex(code_hash)), what="code")
        except RpcError:
            code = from_hex(rpc.call("debug_dbGet", to_hex(CODE_PREFIX + code_hash)), what="code")
        if keccak256(code) != code_hash:
            raise HostError(f"code 0x{code_hash.hex()} from the node hashes differently")
        self._put(code)

    def l2_state_node(self, data: bytes) -> None:
        rpc = self._need(self.l2, "l2-state-node")
        node = from_hex(rpc.call("debug_dbGet", to_hex(data[:32])), what="state node")
        if keccak256(node) != data[:32]:
            raise HostError(f"state node 0x{data[:32].hex()} from the node hashes differently")
        self._put(node)

    def _block_by_number_or_hash(self, rpc: JsonRpc, ref: bytes) -> dict[str, Any]:
        if len(ref) == 8:
            block = rpc.call("eth_getBlockByNumber", hex(int.from_bytes(ref, "big")), False)
        else:
            block = rpc.call("eth_getBlockByHash", to_hex(ref), False)
        if not isinstance(block, dict):
            raise HostError(f"L2 block {to_hex(ref)} not found")
        return block

    def _proof(self, rpc: JsonRpc, address: str, slots: list[str], block: dict[str, Any]) -> dict[str, Any]:
        proof = rpc.call("eth_getProof", address, slots, block["hash"])
        for node in proof.get("accountProof", []):
            self._put(from_hex(node, what="proof node"))
        for entry in proof.get("storageProof", []):
            for node in entry.get("proof", []):
                self._put(from_hex(node, what="proof node"))
        return dict(proof)

    def l2_account_proof(self, data: bytes) -> None:
        rpc = self._need(self.l2, "l2-account-proof")
        # kona: uint64 block number ‖ address; op-program: block hash ‖ address ‖ chain id.
        ref, address = (data[:8], data[8:28]) if len(data) in (28, 36) else (data[:32], data[32:52])
        self._proof(rpc, to_hex(address), [], self._block_by_number_or_hash(rpc, ref))

    def l2_account_storage_proof(self, data: bytes) -> None:
        rpc = self._need(self.l2, "l2-account-storage-proof")
        ref, address, slot = data[:8], data[8:28], data[28:60]
        self._proof(rpc, to_hex(address), [to_hex(slot)], self._block_by_number_or_hash(rpc, ref))

    def l2_payload_witness(self, data: bytes) -> None:
        rpc = self._need(self.l2, "l2-payload-witness")
        parent_hash, attributes = data[:32], json.loads(data[32:].decode() or "{}")
        if isinstance(attributes, dict) and "payloadAttributes" in attributes:  # op-program's shape
            parent_hash = from_hex(attributes["parentBlockHash"], length=32, what="parentBlockHash")
            attributes = attributes["payloadAttributes"]
        witness = rpc.call("debug_executePayload", to_hex(parent_hash), attributes)
        for field in ("state", "codes", "keys", "headers"):
            for value in witness.get(field) or []:
                self._put(from_hex(value, what=f"witness {field}"))

    def _output_for_block(self, block_hash: bytes) -> None:
        rpc = self._need(self.l2, "l2 output")
        block = self._block_by_number_or_hash(rpc, block_hash)
        proof = self._proof(rpc, MESSAGE_PASSER, [], block)
        output = OutputRootV0(
            from_hex(block["stateRoot"], length=32, what="stateRoot"),
            from_hex(proof["storageHash"], length=32, what="storageHash"),
            from_hex(block["hash"], length=32, what="hash"),
        )
        self._put(output.encode())

    def starting_l2_output(self, data: bytes) -> None:
        if self.agreed_l2_head_hash is None:
            raise HostError("starting-l2-output needs the agreed L2 head hash")
        self._output_for_block(self.agreed_l2_head_hash)

    def l2_output(self, data: bytes) -> None:
        # The output the program asks for by root is the agreed one (kona-host does the same).
        self.starting_l2_output(data)

    # -- L1 extras -------------------------------------------------------------------------------
    def l1_blob(self, data: bytes) -> None:
        if self.beacon_url is None:
            raise HostError("l1-blob needs a beacon node address")
        versioned_hash = data[:32]
        timestamp = int.from_bytes(data[-8:], "big")
        http = self.http or httpx.Client(timeout=30.0)
        base = self.beacon_url.rstrip("/")
        try:
            genesis = int(http.get(f"{base}/eth/v1/beacon/genesis").json()["data"]["genesis_time"])
            spec = http.get(f"{base}/eth/v1/config/spec").json()["data"]
            slot = (timestamp - genesis) // int(spec["SECONDS_PER_SLOT"])
            sidecars = http.get(f"{base}/eth/v1/beacon/blob_sidecars/{slot}").json()["data"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise RpcError(f"blob sidecars at {base} for time {timestamp}: {exc}") from exc
        for sidecar in sidecars:
            commitment = from_hex(sidecar["kzg_commitment"], length=48, what="kzg_commitment")
            if b"\x01" + hashlib.sha256(commitment).digest()[1:] == versioned_hash:
                blob = from_hex(sidecar["blob"], what="blob")
                for key, value in blob_preimages(commitment, blob).items():
                    self.kv.set(key, value)
                return
        raise HostError(f"blob {to_hex(versioned_hash)} not among the sidecars of slot {slot}")

    def l1_precompile(self, data: bytes) -> None:
        self._precompile(data[:20], None, data[20:])

    def l1_precompile_v2(self, data: bytes) -> None:
        self._precompile(data[:20], int.from_bytes(data[20:28], "big"), data[28:])

    def _precompile(self, address: bytes, gas: int | None, input_data: bytes) -> None:
        precompile = _host_precompiles().get(address)
        if precompile is None:
            raise HostError(f"precompile {to_hex(address)} is not accelerated")
        result = _run_precompile(precompile, input_data, gas)
        self.kv.set(precompile_key(address, input_data, gas), result)


@functools.cache
def _host_precompiles() -> dict[bytes, Any]:
    """Prague's precompiles on the native backends, without the OP input limits (the client
    applies those before it asks)."""
    from eth.vm.forks.prague.computation import PRAGUE_PRECOMPILES

    return op_precompiles(PRAGUE_PRECOMPILES, fjord=False, granite=False, isthmus=False, jovian=False)


def _run_precompile(precompile: Any, input_data: bytes, gas: int | None) -> bytes:
    """``status ‖ output`` of a precompile on ``input_data`` (status 0 for any failure, including
    a charge beyond the ``gas`` the hint allows)."""
    computation = DetachedComputation(input_data, gas)
    try:
        precompile(computation)  # py-evm's BLS12 precompiles return None: read the output set
    except Exception:
        return b"\x00"
    return b"\x01" + bytes(computation.output)


_ROUTES = {
    HintType.L1_BLOCK_HEADER.value: OnlineFetcher.l1_block_header,
    HintType.L1_TRANSACTIONS.value: OnlineFetcher.l1_transactions,
    HintType.L1_RECEIPTS.value: OnlineFetcher.l1_receipts,
    HintType.L1_BLOB.value: OnlineFetcher.l1_blob,
    HintType.L1_PRECOMPILE.value: OnlineFetcher.l1_precompile,
    HintType.L1_PRECOMPILE_V2.value: OnlineFetcher.l1_precompile_v2,
    HintType.L2_BLOCK_HEADER.value: OnlineFetcher.l2_block_header,
    HintType.L2_TRANSACTIONS.value: OnlineFetcher.l2_transactions,
    HintType.L2_RECEIPTS.value: OnlineFetcher.l2_receipts,
    HintType.L2_CODE.value: OnlineFetcher.l2_code,
    HintType.L2_STATE_NODE.value: OnlineFetcher.l2_state_node,
    HintType.L2_OUTPUT.value: OnlineFetcher.l2_output,
    HintType.STARTING_L2_OUTPUT.value: OnlineFetcher.starting_l2_output,
    HintType.L2_ACCOUNT_PROOF.value: OnlineFetcher.l2_account_proof,
    HintType.L2_ACCOUNT_STORAGE_PROOF.value: OnlineFetcher.l2_account_storage_proof,
    HintType.L2_PAYLOAD_WITNESS.value: OnlineFetcher.l2_payload_witness,
}


def header_from_rpc_block(block: dict[str, Any]) -> Header:
    """A header from an ``eth_getBlockBy*`` result, checked against its ``hash`` field."""
    header = Header.from_rpc(block)
    if to_hex(header.hash()) != block.get("hash"):
        raise HostError(f"block {block.get('hash')} from the node hashes to {to_hex(header.hash())}")
    return header
