"""Blobs from a beacon node: :class:`BeaconClient` and :class:`OnlineBlobProvider`.

Spec: protocol/ecotone/derivation.md "Ecotone: Blob Retrieval": blobs come from the consensus layer
by the slot of the L1 block (``(timestamp - genesis_time) / seconds_per_slot``) and, coming from an
untrusted source, MUST be checked against the versioned hashes of the batcher transactions.

Two beacon API shapes are supported:

- ``GET /eth/v1/beacon/blob_sidecars/{slot}`` (Deneb…Electra): full sidecars; the provider checks
  ``kzg_to_versioned_hash(kzg_commitment)`` against the wanted hash and the KZG proof with ckzg.
- ``GET /eth/v1/beacon/blobs/{block_id}`` (Fulu; also served by anvil, which takes an execution
  block number or hash as ``block_id``): bare blobs; the provider computes each blob's commitment and
  matches its versioned hash.

The sidecar route is tried first; when it answers 404, 405, 410 or 501 the provider switches to the
blobs route (trying the slot, then the execution block hash as ``block_id``) and remembers what
worked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import structlog

from mauna.derive.providers import IndexedBlobHash
from mauna.errors import BlobError, DecodeError
from mauna.primitives.block import BlockInfo
from mauna.primitives.bytes import from_hex, hex_to_int, to_hex
from mauna.protocol import kzg
from mauna.protocol.blobs import BLOB_SIZE, BYTES_PER_COMMITMENT, kzg_to_versioned_hash
from mauna.providers.errors import BeaconError, BlobNotFoundError, BlobVerificationError
from mauna.providers.http import RetryPolicy, json_response, with_retries

log = structlog.get_logger(__name__)

DEFAULT_SECONDS_PER_SLOT = 12
ROUTE_UNAVAILABLE = frozenset({404, 405, 410, 501})


@dataclass(frozen=True, slots=True)
class BlobSidecar:
    """The parts of a beacon blob sidecar the provider checks."""

    index: int
    blob: bytes
    kzg_commitment: bytes
    kzg_proof: bytes


class BeaconClient:
    """A minimal beacon API client (JSON over HTTP, with retries on transient failures)."""

    def __init__(
        self,
        url: str,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._genesis_time: int | None = None
        self._seconds_per_slot: int | None = None
        self.requests: list[str] = []

    async def __aenter__(self) -> BeaconClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, route: str, params: list[tuple[str, str]] | None = None) -> Any:
        """The JSON body of ``GET route``; :class:`BeaconError` (with ``status``) on failure."""

        def on_retry(attempt: int, error: Exception) -> None:
            log.debug("beacon retry", url=self.url, route=route, attempt=attempt, error=str(error))

        return await with_retries(self.retry, lambda: self._get_once(route, params), on_retry)

    async def _get_once(self, route: str, params: list[tuple[str, str]] | None) -> Any:
        self.requests.append(route)

        def send() -> Awaitable[httpx.Response]:
            query = httpx.QueryParams(tuple(params)) if params else None
            return self._client.get(self.url + route, params=query)

        def error(message: str, status: int | None) -> BeaconError:
            return BeaconError(message, route=route, url=self.url, status=status)

        return await json_response(send, error, lambda message: error(message, None))

    def _data(self, body: Any, route: str) -> Any:
        if not isinstance(body, dict) or "data" not in body:
            raise BeaconError("response has no 'data' field", route=route, url=self.url)
        return body["data"]

    async def genesis_time(self) -> int:
        if self._genesis_time is None:
            route = "/eth/v1/beacon/genesis"
            data = self._data(await self.get(route), route)
            try:
                self._genesis_time = hex_to_int(data["genesis_time"], what="genesis_time")
            except (KeyError, TypeError, DecodeError) as exc:
                raise BeaconError(f"bad genesis response: {exc}", route=route, url=self.url) from exc
        return self._genesis_time

    async def seconds_per_slot(self) -> int:
        """``SECONDS_PER_SLOT`` from ``/eth/v1/config/spec`` (12 when the route is not served)."""
        if self._seconds_per_slot is None:
            route = "/eth/v1/config/spec"
            try:
                data = self._data(await self.get(route), route)
            except BeaconError as exc:
                if exc.status not in ROUTE_UNAVAILABLE:
                    raise
                log.info("beacon spec not served; assuming 12 s slots", url=self.url, status=exc.status)
                self._seconds_per_slot = DEFAULT_SECONDS_PER_SLOT
            else:
                try:
                    value = hex_to_int(data["SECONDS_PER_SLOT"], what="SECONDS_PER_SLOT")
                except (KeyError, TypeError, DecodeError) as exc:
                    raise BeaconError(f"bad spec response: {exc}", route=route, url=self.url) from exc
                if value <= 0:
                    raise BeaconError(f"SECONDS_PER_SLOT is {value}", route=route, url=self.url)
                self._seconds_per_slot = value
        return self._seconds_per_slot

    async def blob_sidecars(self, slot: int, indices: Sequence[int] = ()) -> list[BlobSidecar]:
        route = f"/eth/v1/beacon/blob_sidecars/{slot}"
        params = [("indices", ",".join(str(i) for i in indices))] if indices else None
        data = self._data(await self.get(route, params), route)
        if not isinstance(data, list):
            raise BeaconError("'data' is not a list", route=route, url=self.url)
        out = []
        for i, item in enumerate(data):
            try:
                out.append(
                    BlobSidecar(
                        index=hex_to_int(item["index"], what="index"),
                        blob=from_hex(item["blob"], length=BLOB_SIZE, what="blob"),
                        kzg_commitment=from_hex(
                            item["kzg_commitment"], length=BYTES_PER_COMMITMENT, what="kzg_commitment"
                        ),
                        kzg_proof=from_hex(item["kzg_proof"], length=kzg.BYTES_PER_PROOF, what="kzg_proof"),
                    )
                )
            except (KeyError, TypeError, DecodeError) as exc:
                raise BeaconError(f"sidecar {i}: {exc}", route=route, url=self.url) from exc
        return out

    async def blobs(self, block_id: str, versioned_hashes: Sequence[bytes] = ()) -> list[bytes]:
        """The blobs of ``block_id`` (a slot, a block root, or for anvil an execution block number or
        hash), filtered by ``versioned_hashes`` (comma-separated, as anvil parses it; a node that
        rejects the filter with HTTP 400 is asked again for every blob)."""
        route = f"/eth/v1/beacon/blobs/{block_id}"
        params = (
            [("versioned_hashes", ",".join(to_hex(h) for h in versioned_hashes))]
            if versioned_hashes
            else None
        )
        try:
            body = await self.get(route, params)
        except BeaconError as exc:
            if exc.status != 400 or params is None:
                raise
            log.info("beacon rejects the versioned_hashes filter; asking for all blobs", url=self.url)
            body = await self.get(route)
        data = self._data(body, route)
        if not isinstance(data, list):
            raise BeaconError("'data' is not a list", route=route, url=self.url)
        try:
            return [from_hex(b, length=BLOB_SIZE, what=f"blob {i}") for i, b in enumerate(data)]
        except DecodeError as exc:
            raise BeaconError(str(exc), route=route, url=self.url) from exc


class OnlineBlobProvider:
    """:class:`~mauna.derive.providers.BlobProvider` over a beacon node, verifying every blob.

    ``genesis_time`` / ``seconds_per_slot`` override what the beacon node reports.
    """

    def __init__(
        self,
        beacon: BeaconClient,
        *,
        genesis_time: int | None = None,
        seconds_per_slot: int | None = None,
    ) -> None:
        self.beacon = beacon
        self._genesis_time = genesis_time
        self._seconds_per_slot = seconds_per_slot
        self.route: str | None = None
        """``"sidecars"`` or ``"blobs"`` once known."""
        self.block_id_kind: str | None = None
        """For the blobs route: ``"slot"`` or ``"hash"`` once known."""

    async def slot_of(self, timestamp: int) -> int:
        genesis = self._genesis_time if self._genesis_time is not None else await self.beacon.genesis_time()
        per_slot = self._seconds_per_slot or await self.beacon.seconds_per_slot()
        if timestamp < genesis:
            raise BeaconError(
                f"L1 block time {timestamp} is before the beacon genesis time {genesis}",
                route="/eth/v1/beacon/genesis",
                url=self.beacon.url,
            )
        return (timestamp - genesis) // per_slot

    async def get_blobs(self, block_ref: BlockInfo, blob_hashes: list[IndexedBlobHash]) -> list[bytes]:
        if not blob_hashes:
            return []
        slot = await self.slot_of(block_ref.timestamp)
        if self.route != "blobs":
            try:
                sidecars = await self.beacon.blob_sidecars(slot, [h.index for h in blob_hashes])
            except BeaconError as exc:
                if self.route == "sidecars" or exc.status not in ROUTE_UNAVAILABLE:
                    raise
                log.info("blob sidecars route unavailable; using the blobs route", status=exc.status)
                self.route = "blobs"
            else:
                self.route = "sidecars"
                return self._match_sidecars(block_ref, slot, sidecars, blob_hashes)
        return await self._from_blobs_route(block_ref, slot, blob_hashes)

    # --- sidecars ------------------------------------------------------------------------------
    def _match_sidecars(
        self, block_ref: BlockInfo, slot: int, sidecars: list[BlobSidecar], wanted: list[IndexedBlobHash]
    ) -> list[bytes]:
        by_index = {s.index: s for s in sidecars}
        out = []
        for indexed in wanted:
            sidecar = by_index.get(indexed.index)
            if sidecar is None or kzg_to_versioned_hash(sidecar.kzg_commitment) != indexed.hash:
                sidecar = next(
                    (s for s in sidecars if kzg_to_versioned_hash(s.kzg_commitment) == indexed.hash), None
                )
            if sidecar is None:
                raise BlobNotFoundError(
                    f"blob {to_hex(indexed.hash)} (index {indexed.index}) of L1 block #{block_ref.number} "
                    f"not among the {len(sidecars)} sidecars of slot {slot} from {self.beacon.url}"
                )
            try:
                valid = kzg.verify_blob_proof(sidecar.blob, sidecar.kzg_commitment, sidecar.kzg_proof)
            except BlobError as exc:
                raise BlobVerificationError(f"blob sidecar {sidecar.index} of slot {slot}: {exc}") from exc
            if not valid:
                raise BlobVerificationError(
                    f"blob sidecar {sidecar.index} of slot {slot} (L1 block #{block_ref.number}): the KZG "
                    "proof does not verify"
                )
            out.append(sidecar.blob)
        return out

    # --- bare blobs ----------------------------------------------------------------------------
    async def _from_blobs_route(
        self, block_ref: BlockInfo, slot: int, wanted: list[IndexedBlobHash]
    ) -> list[bytes]:
        candidates = {"slot": str(slot), "hash": to_hex(block_ref.hash)}
        order = ["slot", "hash"] if self.block_id_kind != "hash" else ["hash", "slot"]
        if self.block_id_kind is not None:
            order = [self.block_id_kind]
        problems: list[str] = []
        for kind in order:
            block_id = candidates[kind]
            try:
                blobs = await self.beacon.blobs(block_id, [h.hash for h in wanted])
            except BeaconError as exc:
                if exc.status not in (400, 404):
                    raise
                problems.append(f"{kind} {block_id}: HTTP {exc.status}")
                continue
            matched = _match_bare_blobs(blobs, wanted)
            if matched is not None:
                self.block_id_kind = kind
                return matched
            problems.append(f"{kind} {block_id}: {len(blobs)} blobs, not all wanted hashes")
        missing = ", ".join(f"{to_hex(h.hash)} (index {h.index})" for h in wanted)
        raise BlobNotFoundError(
            f"blobs {missing} of L1 block #{block_ref.number} not served by {self.beacon.url} "
            f"({'; '.join(problems)})"
        )


def _match_bare_blobs(blobs: list[bytes], wanted: list[IndexedBlobHash]) -> list[bytes] | None:
    """The blobs whose commitments give the wanted versioned hashes, or ``None`` if one is missing."""
    hashes: dict[int, bytes] = {}

    def versioned_hash(position: int) -> bytes | None:
        if position not in hashes:
            try:
                hashes[position] = kzg_to_versioned_hash(kzg.blob_to_commitment(blobs[position]))
            except BlobError:
                hashes[position] = b""
        return hashes[position]

    out = []
    for k, indexed in enumerate(wanted):
        guesses = [p for p in (indexed.index, k) if p < len(blobs)]
        order = guesses + [p for p in range(len(blobs)) if p not in guesses]
        found = next((p for p in order if versioned_hash(p) == indexed.hash), None)
        if found is None:
            return None
        out.append(blobs[found])
    return out


__all__ = ["BeaconClient", "BlobSidecar", "OnlineBlobProvider"]
