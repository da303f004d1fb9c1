"""A JSON-RPC 2.0 client over HTTP (httpx, async) for the online providers.

- Retries transient failures with exponential backoff: connection errors and timeouts, HTTP 429 /
  5xx, and JSON-RPC errors that mean "not yet" (``header not found``, ``unknown block``, rate
  limits). After the last retry the failure is raised as a typed
  :class:`~mauna.providers.errors.RpcError` (a :class:`~mauna.derive.errors.ProviderError`).
- Caches results of calls marked ``cache=True`` (lookups by hash, whose answers never change) in
  an LRU; a ``null`` result is never cached.
- :meth:`RpcClient.batch` sends several calls in one JSON-RPC batch request.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx
import structlog

from mauna.providers.errors import (
    MalformedResponseError,
    RpcMethodNotFoundError,
    RpcResponseError,
    RpcTransportError,
)
from mauna.providers.http import LruCache, Retry, RetryPolicy, json_response, with_retries

log = structlog.get_logger(__name__)

# JSON-RPC error messages (lower case, substring match) that mean "try again later".
TRANSIENT_RPC_MESSAGES = (
    "header not found",
    "unknown block",
    "block not found",
    "not found in chain",
    "request timed out",
    "timeout",
    "rate limit",
    "too many requests",
    "limit exceeded",
    "temporarily unavailable",
    "service unavailable",
    "try again",
)
TRANSIENT_RPC_CODES = frozenset({-32005, 429})
METHOD_NOT_FOUND_CODE = -32601
METHOD_NOT_FOUND_MESSAGES = (
    "method not found",
    "does not exist/is not available",
    "unsupported method",
    "method not supported",
)


def is_transient_rpc_error(code: int, message: str) -> bool:
    lowered = message.lower()
    return code in TRANSIENT_RPC_CODES or any(m in lowered for m in TRANSIENT_RPC_MESSAGES)


def is_method_not_found(code: int, message: str) -> bool:
    lowered = message.lower()
    return code == METHOD_NOT_FOUND_CODE or any(m in lowered for m in METHOD_NOT_FOUND_MESSAGES)


Call = tuple[str, Sequence[Any]]


class RpcClient:
    """JSON-RPC over HTTP with retries and an LRU cache of immutable lookups.

    Use as an async context manager (or call :meth:`aclose`). ``transport`` replaces the network
    (e.g. :class:`httpx.MockTransport` in tests).
    """

    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        cache_size: int = 2048,
        headers: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self.retry = retry or RetryPolicy()
        self._client = httpx.AsyncClient(
            timeout=timeout,
            headers={"content-type": "application/json", **(headers or {})},
            transport=transport,
        )
        self.cache: LruCache[tuple[str, str], Any] = LruCache(cache_size)
        self._ids = itertools.count(1)
        self.requests = 0

    async def __aenter__(self) -> RpcClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- public API ----------------------------------------------------------------------------
    async def call(self, method: str, params: Sequence[Any] = (), *, cache: bool = False) -> Any:
        """The result of one call (``None`` for a ``null`` result)."""
        key = (method, _params_key(params))
        if cache:
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        request = self._request(method, params)
        result = await self._with_retries(method, request, lambda body: self._single_result(method, body))
        if cache and result is not None:
            self.cache.put(key, result)
        return result

    async def batch(self, calls: Sequence[Call], *, cache: bool = False) -> list[Any]:
        """The results of several calls, in order, sent as one JSON-RPC batch (cached ones skipped)."""
        results: list[Any] = [None] * len(calls)
        pending: list[int] = []
        for i, (method, params) in enumerate(calls):
            hit = self.cache.get((method, _params_key(params))) if cache else None
            if hit is not None:
                results[i] = hit
            else:
                pending.append(i)
        if not pending:
            return results
        if len(pending) == 1:
            i = pending[0]
            results[i] = await self.call(calls[i][0], calls[i][1], cache=cache)
            return results
        requests = [self._request(calls[i][0], calls[i][1]) for i in pending]
        what = f"batch of {len(requests)} ({calls[pending[0]][0]}, …)"
        answers = await self._with_retries(what, requests, lambda body: self._batch_results(requests, body))
        for i, answer in zip(pending, answers, strict=True):
            results[i] = answer
            if cache and answer is not None:
                self.cache.put((calls[i][0], _params_key(calls[i][1])), answer)
        return results

    # --- internals -----------------------------------------------------------------------------
    def _request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}

    async def _with_retries(self, what: str, payload: Any, parse: Any) -> Any:
        async def attempt() -> Any:
            return parse(await self._post(what, payload))

        def on_retry(attempt: int, error: Exception) -> None:
            log.debug("rpc retry", url=self.url, what=what, attempt=attempt, error=str(error))

        def on_give_up(error: Exception) -> None:
            attempts = self.retry.retries + 1
            log.warning("rpc failed", url=self.url, what=what, attempts=attempts, error=str(error))

        return await with_retries(self.retry, attempt, on_retry, on_give_up)

    async def _post(self, what: str, payload: Any) -> Any:
        self.requests += 1

        def error(message: str, status: int | None) -> RpcTransportError:
            return RpcTransportError(message, method=what, url=self.url, status=status)

        def malformed(message: str) -> MalformedResponseError:
            return MalformedResponseError(message, method=what, url=self.url)

        return await json_response(
            lambda: self._client.post(self.url, content=json.dumps(payload)), error, malformed
        )

    def _result_of(self, method: str, answer: Any) -> Any:
        if not isinstance(answer, dict):
            raise MalformedResponseError(
                f"expected a JSON-RPC response object, got {type(answer).__name__}",
                method=method,
                url=self.url,
            )
        error = answer.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise MalformedResponseError(f"malformed error object {error!r}", method=method, url=self.url)
            code = error.get("code")
            code = code if isinstance(code, int) else 0
            message = str(error.get("message", ""))
            if is_method_not_found(code, message):
                raise RpcMethodNotFoundError(code, message, method=method, url=self.url)
            failure = RpcResponseError(code, message, method=method, url=self.url)
            if is_transient_rpc_error(code, message):
                raise Retry(failure)
            raise failure
        if "result" not in answer:
            raise MalformedResponseError("response has neither result nor error", method=method, url=self.url)
        return answer["result"]

    def _single_result(self, method: str, body: Any) -> Any:
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        return self._result_of(method, body)

    def _batch_results(self, requests: list[dict[str, Any]], body: Any) -> list[Any]:
        if isinstance(body, dict) and len(requests) > 0:
            # A server that rejects batches answers with a single error object.
            self._result_of(f"batch ({requests[0]['method']}, …)", body)
            raise MalformedResponseError(
                "expected a JSON array answering a batch request", method="batch", url=self.url
            )
        if not isinstance(body, list):
            raise MalformedResponseError(
                f"expected a JSON array, got {type(body).__name__}", method="batch", url=self.url
            )
        by_id: dict[Any, Any] = {a.get("id"): a for a in body if isinstance(a, dict)}
        out: list[Any] = []
        for request in requests:
            answer = by_id.get(request["id"])
            if answer is None:
                raise MalformedResponseError(
                    f"batch response lacks id {request['id']}", method=request["method"], url=self.url
                )
            out.append(self._result_of(request["method"], answer))
        return out


def _params_key(params: Sequence[Any]) -> str:
    return json.dumps(list(params), sort_keys=True, separators=(",", ":"))


__all__ = ["RpcClient", "is_method_not_found", "is_transient_rpc_error"]
