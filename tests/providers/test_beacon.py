"""OnlineBlobProvider over httpx.MockTransport: real Goerli blob sidecars (KZG proofs checked), the
bare-blobs route, route fallback, slot arithmetic and typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from mauna.derive.errors import ProviderError
from mauna.derive.providers import IndexedBlobHash
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import from_hex
from mauna.protocol.blobs import kzg_to_versioned_hash
from mauna.providers import (
    BeaconClient,
    BeaconError,
    BlobNotFoundError,
    BlobVerificationError,
    OnlineBlobProvider,
    RetryPolicy,
)

FIXTURE = Path(__file__).parents[1] / "fixtures/kona/providers/eth_v1_beacon_sidecars_goerli.json"
GENESIS = 1_616_508_000
SLOT = 7_422_094
BEACON = "http://beacon.test"


def sidecars() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def hashes() -> list[bytes]:
    return [kzg_to_versioned_hash(from_hex(s["kzg_commitment"])) for s in sidecars()["data"]]


def block(slot: int = SLOT) -> BlockInfo:
    return BlockInfo(b"\xbb" * 32, 19_000_000, b"\xaa" * 32, GENESIS + 12 * slot)


Handler = Callable[[httpx.Request], httpx.Response]


def beacon_handler(routes: Mapping[str, Handler], log: list[str]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        log.append(str(request.url))
        path = request.url.path
        if path == "/eth/v1/beacon/genesis":
            return httpx.Response(200, json={"data": {"genesis_time": str(GENESIS)}})
        for prefix, route in routes.items():
            if path.startswith(prefix):
                return route(request)
        return httpx.Response(404, json={"code": 404, "message": "not found"})

    return handler


def get_blobs(
    handler: Handler, wanted: list[IndexedBlobHash], **kw: Any
) -> tuple[list[bytes], OnlineBlobProvider]:
    async def main() -> tuple[list[bytes], OnlineBlobProvider]:
        transport = httpx.MockTransport(handler)
        async with BeaconClient(
            BEACON, retry=RetryPolicy(retries=2, backoff=0.0), transport=transport
        ) as beacon:
            provider = OnlineBlobProvider(beacon, **kw)
            return await provider.get_blobs(block(), wanted), provider

    return trio.run(main)


def spec(seconds: int) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json={"data": {"SECONDS_PER_SLOT": str(seconds)}})


def test_sidecars_from_a_real_beacon_response_are_verified() -> None:
    log: list[str] = []
    body = sidecars()
    routes = {
        "/eth/v1/config/spec": spec(12),
        f"/eth/v1/beacon/blob_sidecars/{SLOT}": lambda request: httpx.Response(200, json=body),
    }
    h = hashes()
    blobs, provider = get_blobs(
        beacon_handler(routes, log), [IndexedBlobHash(1, h[1]), IndexedBlobHash(3, h[3])]
    )
    assert blobs == [from_hex(body["data"][1]["blob"]), from_hex(body["data"][3]["blob"])]
    assert provider.route == "sidecars"
    assert any("indices=1%2C3" in url or "indices=1,3" in url for url in log)


def test_sidecar_slot_uses_the_spec_seconds_per_slot() -> None:
    log: list[str] = []
    body = sidecars()
    routes = {
        "/eth/v1/config/spec": spec(6),
        f"/eth/v1/beacon/blob_sidecars/{2 * SLOT}": lambda request: httpx.Response(200, json=body),
    }
    blobs, _ = get_blobs(beacon_handler(routes, log), [IndexedBlobHash(0, hashes()[0])])
    assert len(blobs) == 1


def test_a_bad_kzg_proof_is_rejected() -> None:
    body = sidecars()
    body["data"][2]["kzg_proof"] = body["data"][3]["kzg_proof"]
    routes = {"/eth/v1/beacon/blob_sidecars/": lambda request: httpx.Response(200, json=body)}
    with pytest.raises(BlobVerificationError, match="sidecar 2 of slot 7422094"):
        get_blobs(beacon_handler(routes, []), [IndexedBlobHash(2, hashes()[2])])


def test_a_hash_not_among_the_sidecars_is_not_found() -> None:
    routes = {"/eth/v1/beacon/blob_sidecars/": lambda request: httpx.Response(200, json=sidecars())}
    with pytest.raises(BlobNotFoundError, match="not among the 5 sidecars of slot 7422094") as info:
        get_blobs(beacon_handler(routes, []), [IndexedBlobHash(0, b"\x01" + b"\x07" * 31)])
    assert isinstance(info.value, ProviderError)


def test_sidecars_are_matched_by_commitment_when_indices_are_ignored() -> None:
    body = sidecars()
    body["data"] = list(reversed(body["data"]))
    for i, item in enumerate(body["data"]):
        item["index"] = str(i)  # indices no longer line up with the block's blob order
    routes = {"/eth/v1/beacon/blob_sidecars/": lambda request: httpx.Response(200, json=body)}
    blobs, _ = get_blobs(beacon_handler(routes, []), [IndexedBlobHash(0, hashes()[0])])
    assert blobs == [from_hex(sidecars()["data"][0]["blob"])]


def test_gone_sidecar_route_falls_back_to_bare_blobs() -> None:
    """The anvil shape: sidecars answer 410, /eth/v1/beacon/blobs/{id} returns blobs only."""
    log: list[str] = []
    data = [s["blob"] for s in sidecars()["data"]]
    routes = {
        "/eth/v1/beacon/blob_sidecars/": lambda request: httpx.Response(410, json={"code": 410}),
        f"/eth/v1/beacon/blobs/{SLOT}": lambda request: httpx.Response(
            200, json={"execution_optimistic": False, "finalized": False, "data": data}
        ),
    }
    h = hashes()
    blobs, provider = get_blobs(
        beacon_handler(routes, log), [IndexedBlobHash(4, h[4]), IndexedBlobHash(0, h[0])]
    )
    assert blobs == [from_hex(data[4]), from_hex(data[0])]
    assert provider.route == "blobs" and provider.block_id_kind == "slot"
    assert any("/eth/v1/config/spec" in url for url in log)  # 404 there: 12 s slots assumed


def test_bare_blobs_by_execution_block_hash() -> None:
    data = [s["blob"] for s in sidecars()["data"]]
    blobs_route = f"/eth/v1/beacon/blobs/0x{'bb' * 32}"
    routes = {
        "/eth/v1/beacon/blob_sidecars/": lambda request: httpx.Response(410),
        blobs_route: lambda request: httpx.Response(200, json={"data": data[1:3]}),
        "/eth/v1/beacon/blobs/": lambda request: httpx.Response(404),
    }
    h = hashes()
    blobs, provider = get_blobs(
        beacon_handler(routes, []), [IndexedBlobHash(1, h[1]), IndexedBlobHash(2, h[2])]
    )
    assert blobs == [from_hex(data[1]), from_hex(data[2])]
    assert provider.block_id_kind == "hash"


def test_transient_beacon_errors_are_retried_then_typed() -> None:
    answers = iter([503, 200])
    body = sidecars()

    def flaky(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json=body if status == 200 else {"message": "busy"})

    routes = {"/eth/v1/beacon/blob_sidecars/": flaky}
    blobs, _ = get_blobs(beacon_handler(routes, []), [IndexedBlobHash(0, hashes()[0])])
    assert len(blobs) == 1

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(BeaconError, match=r"GET /eth/v1/beacon/genesis @ http://beacon\.test: ConnectError"):
        get_blobs(down, [IndexedBlobHash(0, hashes()[0])])


def test_block_before_genesis_and_overrides() -> None:
    async def main() -> None:
        transport = httpx.MockTransport(beacon_handler({}, []))
        async with BeaconClient(BEACON, transport=transport) as beacon:
            provider = OnlineBlobProvider(beacon)
            with pytest.raises(BeaconError, match="before the beacon genesis time"):
                await provider.slot_of(GENESIS - 1)
            assert await provider.slot_of(GENESIS + 25) == 2
            fixed = OnlineBlobProvider(beacon, genesis_time=100, seconds_per_slot=2)
            assert await fixed.slot_of(110) == 5
            assert await provider.get_blobs(block(), []) == []

    trio.run(main)
