"""Receipts of OP Stack blocks and their consensus encoding.

Spec: protocol/deposits.md "Deposit Receipt": from Regolith a deposit receipt carries
``depositNonce`` and from Canyon ``depositReceiptVersion = 1``. Receipts are EIP-2718 envelopes
(``type ‖ rlp([status, cumulativeGasUsed, logsBloom, logs, …])``, legacy ones plain RLP). In the
Regolith-to-Canyon window op-geth left ``depositNonce`` out of the receipts-root encoding, which
the chain's headers commit to, so :meth:`OpReceipt.encode` does the same there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_bloom import BloomFilter

from mauna.primitives.receipt import Log
from mauna.primitives.rlp_utils import rlp_encode
from mauna.protocol.deposits import DEPOSIT_TX_TYPE


def logs_bloom(logs: Iterable[Log]) -> bytes:
    """The 2048-bit bloom filter over the logs' addresses and topics."""
    bloom = BloomFilter()
    for log in logs:
        bloom.add(log.address)
        for topic in log.topics:
            bloom.add(topic)
    return int(bloom).to_bytes(256, "big")


@dataclass(frozen=True, slots=True)
class OpReceipt:
    """A transaction receipt as committed to by the receipts root."""

    tx_type: int
    success: bool
    cumulative_gas_used: int
    logs: tuple[Log, ...]
    logs_bloom: bytes
    deposit_nonce: int | None = None
    deposit_receipt_version: int | None = None

    def encode(self, *, include_deposit_nonce: bool = True) -> bytes:
        fields: list[object] = [
            1 if self.success else 0,
            self.cumulative_gas_used,
            self.logs_bloom,
            [[log.address, list(log.topics), log.data] for log in self.logs],
        ]
        if self.tx_type == DEPOSIT_TX_TYPE and self.deposit_nonce is not None and include_deposit_nonce:
            fields.append(self.deposit_nonce)
            if self.deposit_receipt_version is not None:
                fields.append(self.deposit_receipt_version)
        body = rlp_encode(fields)
        return body if self.tx_type == 0 else bytes([self.tx_type]) + body


def block_bloom(receipts: Sequence[OpReceipt]) -> bytes:
    value = 0
    for receipt in receipts:
        value |= int.from_bytes(receipt.logs_bloom, "big")
    return value.to_bytes(256, "big")
