"""L1 receipts from their consensus (EIP-2718) encoding, as the receipts trie holds them.

A typed receipt is ``type ‖ rlp([status, cumulativeGasUsed, logsBloom, logs])``, a legacy one the
bare RLP list; each log is ``[address, [topics…], data]``. Derivation needs the status and the logs
(deposits, system-config updates; protocol/derivation.md "Deriving the Transaction List").
"""

from __future__ import annotations

from mauna.errors import DecodeError
from mauna.primitives.receipt import Log, Receipt
from mauna.primitives.rlp_utils import rlp_decode, rlp_int
from mauna.proof.errors import OracleProviderError


def decode_receipt(raw: bytes, where: str = "receipt") -> Receipt:
    """Decode one EIP-2718 receipt envelope (legacy receipts start with an RLP list byte)."""
    if not raw:
        raise OracleProviderError(f"{where}: empty receipt")
    tx_type = 0
    body = raw
    if raw[0] < 0x80:
        tx_type, body = raw[0], raw[1:]
    try:
        fields = rlp_decode(body, what=where)
        if not isinstance(fields, list) or len(fields) < 4:
            raise DecodeError(f"{where}: expected a list of at least 4 fields")
        status_raw, cumulative_raw, _bloom, logs_raw = fields[:4]
        if not isinstance(status_raw, bytes) or len(status_raw) == 32:
            raise DecodeError(f"{where}: pre-Byzantium state-root receipts are not supported")
        status = rlp_int(status_raw, what=f"{where} status")
        cumulative = rlp_int(cumulative_raw, what=f"{where} cumulative gas")
        if not isinstance(logs_raw, list):
            raise DecodeError(f"{where}: logs are not a list")
        logs = []
        for i, entry in enumerate(logs_raw):
            if not isinstance(entry, list) or len(entry) != 3:
                raise DecodeError(f"{where}: log {i} is not [address, topics, data]")
            address, topics, data = entry
            if not isinstance(address, bytes) or len(address) != 20 or not isinstance(topics, list):
                raise DecodeError(f"{where}: log {i} has a malformed address or topics")
            if not all(isinstance(t, bytes) and len(t) == 32 for t in topics) or not isinstance(data, bytes):
                raise DecodeError(f"{where}: log {i} has a malformed topic or data")
            logs.append(Log(address, tuple(topics), data))
    except DecodeError as exc:
        raise OracleProviderError(str(exc)) from exc
    return Receipt(status, cumulative, tuple(logs), tx_type)
