"""RpcClient over httpx.MockTransport: retries, typed errors, caching, batches."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import trio

from mauna.derive.errors import ProviderError
from mauna.providers import (
    MalformedResponseError,
    RetryPolicy,
    RpcClient,
    RpcMethodNotFoundError,
    RpcResponseError,
    RpcTransportError,
)

URL = "http://rpc.test"
NO_WAIT = RetryPolicy(retries=3, backoff=0.0)


def client(handler: Callable[[httpx.Request], httpx.Response]) -> RpcClient:
    return RpcClient(URL, retry=NO_WAIT, transport=httpx.MockTransport(handler))


def ok(request: httpx.Request, result: Any) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": result})


def error(request: httpx.Request, code: int, message: str) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(
        200, json={"jsonrpc": "2.0", "id": body["id"], "error": {"code": code, "message": message}}
    )


def call(rpc: RpcClient, method: str = "eth_chainId", params: list[Any] | None = None, **kw: Any) -> Any:
    async def main() -> Any:
        async with rpc:
            return await rpc.call(method, params or [], **kw)

    return trio.run(main)


def test_transient_http_status_is_retried() -> None:
    statuses = iter([503, 429, 502])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses, 200)
        return ok(request, "0x1") if status == 200 else httpx.Response(status, text="busy")

    rpc = client(handler)
    assert call(rpc) == "0x1"
    assert rpc.requests == 4


def test_connect_errors_become_a_typed_error_after_the_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    rpc = client(handler)
    with pytest.raises(RpcTransportError, match=r"eth_chainId @ http://rpc\.test: ConnectError") as info:
        call(rpc)
    assert isinstance(info.value, ProviderError)
    assert rpc.requests == 4


def test_timeouts_are_retried() -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ReadTimeout("slow", request=request)
        return ok(request, "0x2")

    assert call(client(handler)) == "0x2"


def test_header_not_found_is_temporary_and_retried() -> None:
    answers = iter(["header not found", "header not found"])

    def handler(request: httpx.Request) -> httpx.Response:
        message = next(answers, None)
        return ok(request, {"number": "0x1"}) if message is None else error(request, -32000, message)

    rpc = client(handler)
    assert call(rpc, "eth_getBlockByNumber", ["0x1", False]) == {"number": "0x1"}
    assert rpc.requests == 3

    rpc = client(lambda request: error(request, -32000, "header not found"))
    with pytest.raises(RpcResponseError, match="header not found") as info:
        call(rpc, "eth_getBlockByNumber", ["0x1", False])
    assert info.value.code == -32000 and rpc.requests == 4


def test_permanent_errors_are_not_retried() -> None:
    rpc = client(lambda request: error(request, -32602, "invalid argument 0"))
    with pytest.raises(RpcResponseError, match="-32602: invalid argument 0"):
        call(rpc)
    assert rpc.requests == 1

    rpc = client(lambda request: error(request, -32601, "the method eth_getBlockReceipts does not exist"))
    with pytest.raises(RpcMethodNotFoundError):
        call(rpc, "eth_getBlockReceipts", ["0x1"])
    assert rpc.requests == 1

    rpc = client(lambda request: httpx.Response(401, text="unauthorized"))
    with pytest.raises(RpcTransportError, match="HTTP 401") as info:
        call(rpc)
    assert info.value.status == 401 and rpc.requests == 1


def test_malformed_bodies() -> None:
    with pytest.raises(MalformedResponseError, match="not JSON"):
        call(client(lambda request: httpx.Response(200, text="<html>")))
    with pytest.raises(MalformedResponseError, match="neither result nor error"):
        call(client(lambda request: httpx.Response(200, json={"jsonrpc": "2.0", "id": 1})))


def test_cache_serves_repeated_immutable_lookups() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["method"])
        return ok(request, {"hash": "0xab"})

    rpc = client(handler)

    async def main() -> None:
        async with rpc:
            for _ in range(3):
                assert await rpc.call("eth_getBlockByHash", ["0xab", False], cache=True) == {"hash": "0xab"}
            await rpc.call("eth_getBlockByHash", ["0xab", True], cache=True)
            await rpc.call("eth_getBlockByNumber", ["latest", False])
            await rpc.call("eth_getBlockByNumber", ["latest", False])

    trio.run(main)
    assert seen == [
        "eth_getBlockByHash",
        "eth_getBlockByHash",
        "eth_getBlockByNumber",
        "eth_getBlockByNumber",
    ]


def test_null_results_are_not_cached() -> None:
    results = iter([None, {"hash": "0x01"}])
    rpc = client(lambda request: ok(request, next(results)))

    async def main() -> None:
        async with rpc:
            assert await rpc.call("eth_getBlockByHash", ["0x01", False], cache=True) is None
            assert await rpc.call("eth_getBlockByHash", ["0x01", False], cache=True) == {"hash": "0x01"}

    trio.run(main)


def test_batch_matches_answers_by_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls = json.loads(request.content)
        assert isinstance(calls, list)
        answers = [{"jsonrpc": "2.0", "id": c["id"], "result": c["params"][0]} for c in calls]
        return httpx.Response(200, json=list(reversed(answers)))

    rpc = client(handler)

    async def main() -> list[Any]:
        async with rpc:
            return await rpc.batch([("eth_getTransactionReceipt", [f"0x{i}"]) for i in range(5)])

    assert trio.run(main) == [f"0x{i}" for i in range(5)]
    assert rpc.requests == 1


def test_batch_element_errors_are_typed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls = json.loads(request.content)
        return httpx.Response(
            200,
            json=[
                {"jsonrpc": "2.0", "id": calls[0]["id"], "result": 1},
                {"jsonrpc": "2.0", "id": calls[1]["id"], "error": {"code": -32602, "message": "bad hash"}},
            ],
        )

    rpc = client(handler)

    async def main() -> None:
        async with rpc:
            await rpc.batch([("a", []), ("b", [])])

    with pytest.raises(RpcResponseError, match=r"b @ http://rpc\.test: JSON-RPC error -32602: bad hash"):
        trio.run(main)


def test_runs_under_asyncio_too() -> None:
    import anyio

    rpc = client(lambda request: ok(request, "0x7"))

    async def main() -> Any:
        async with rpc:
            return await rpc.call("eth_chainId")

    assert anyio.run(main) == "0x7"


def test_bad_urls_are_typed_errors_without_retries() -> None:
    for url in ("localhost:8545", "http://[::1"):
        rpc = RpcClient(url, retry=NO_WAIT)
        with pytest.raises(RpcTransportError):
            call(rpc)
        assert rpc.requests == 1
