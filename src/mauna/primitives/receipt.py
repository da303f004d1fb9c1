"""Logs and receipts as derivation reads them from L1 (deposit and config-update events)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Log:
    """An EVM log: emitting contract, indexed topics and data."""

    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class Receipt:
    """The parts of a transaction receipt derivation needs."""

    status: int
    cumulative_gas_used: int
    logs: tuple[Log, ...]
    tx_type: int = 0
