"""OP Stack payload attributes: what the rollup node asks the engine to build.

Spec: protocol/exec-engine.md, "Extended PayloadAttributesV3" (``transactions``, ``noTxPool``,
``gasLimit``), protocol/holocene/exec-engine.md ("eip1559Params", 8 bytes) and
protocol/jovian/exec-engine.md ("minBaseFee").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mauna.errors import DecodeError
from mauna.primitives.bytes import from_hex, hex_to_int, to_hex


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """An EIP-4895 withdrawal (always an empty list on OP Stack, kept for completeness)."""

    index: int
    validator_index: int
    address: bytes
    amount: int

    def rlp_fields(self) -> list[Any]:
        return [self.index, self.validator_index, self.address, self.amount]


@dataclass(frozen=True, slots=True)
class OpPayloadAttributes:
    """``PayloadAttributesV3`` with the OP Stack extensions."""

    timestamp: int
    prev_randao: bytes
    suggested_fee_recipient: bytes
    withdrawals: tuple[Withdrawal, ...] | None = None
    parent_beacon_block_root: bytes | None = None
    transactions: tuple[bytes, ...] = ()
    no_tx_pool: bool = True
    gas_limit: int | None = None
    eip1559_params: bytes | None = None
    min_base_fee: int | None = None

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> OpPayloadAttributes:
        """Parse the JSON form (camelCase keys, hex quantities), e.g. a fixture's ``executing_payload``."""
        if not isinstance(obj, dict):
            raise DecodeError(f"payload attributes: expected an object, got {type(obj).__name__}")
        try:
            withdrawals_json = obj.get("withdrawals")
            withdrawals = None
            if withdrawals_json is not None:
                withdrawals = tuple(
                    Withdrawal(
                        index=hex_to_int(w["index"], what="withdrawal.index"),
                        validator_index=hex_to_int(w["validatorIndex"], what="withdrawal.validatorIndex"),
                        address=from_hex(w["address"], length=20, what="withdrawal.address"),
                        amount=hex_to_int(w["amount"], what="withdrawal.amount"),
                    )
                    for w in withdrawals_json
                )
            pbbr = obj.get("parentBeaconBlockRoot")
            gas_limit = obj.get("gasLimit")
            params = obj.get("eip1559Params")
            min_base_fee = obj.get("minBaseFee")
            return cls(
                timestamp=hex_to_int(obj["timestamp"], what="attributes.timestamp"),
                prev_randao=from_hex(obj["prevRandao"], length=32, what="attributes.prevRandao"),
                suggested_fee_recipient=from_hex(
                    obj["suggestedFeeRecipient"], length=20, what="attributes.suggestedFeeRecipient"
                ),
                withdrawals=withdrawals,
                parent_beacon_block_root=(
                    None
                    if pbbr is None
                    else from_hex(pbbr, length=32, what="attributes.parentBeaconBlockRoot")
                ),
                transactions=tuple(
                    from_hex(tx, what=f"attributes.transactions[{i}]")
                    for i, tx in enumerate(obj.get("transactions") or ())
                ),
                no_tx_pool=bool(obj.get("noTxPool", True)),
                gas_limit=None if gas_limit is None else hex_to_int(gas_limit, what="attributes.gasLimit"),
                eip1559_params=(
                    None if params is None else from_hex(params, length=8, what="attributes.eip1559Params")
                ),
                min_base_fee=(
                    None if min_base_fee is None else hex_to_int(min_base_fee, what="attributes.minBaseFee")
                ),
            )
        except KeyError as exc:
            raise DecodeError(f"payload attributes: missing field {exc.args[0]!r}") from exc
        except TypeError as exc:
            raise DecodeError(f"payload attributes: malformed field ({exc})") from exc

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "timestamp": hex(self.timestamp),
            "prevRandao": to_hex(self.prev_randao),
            "suggestedFeeRecipient": to_hex(self.suggested_fee_recipient),
            "transactions": [to_hex(tx) for tx in self.transactions],
            "noTxPool": self.no_tx_pool,
        }
        if self.withdrawals is not None:
            out["withdrawals"] = [
                {
                    "index": hex(w.index),
                    "validatorIndex": hex(w.validator_index),
                    "address": to_hex(w.address),
                    "amount": hex(w.amount),
                }
                for w in self.withdrawals
            ]
        if self.parent_beacon_block_root is not None:
            out["parentBeaconBlockRoot"] = to_hex(self.parent_beacon_block_root)
        if self.gas_limit is not None:
            out["gasLimit"] = hex(self.gas_limit)
        if self.eip1559_params is not None:
            out["eip1559Params"] = to_hex(self.eip1559_params)
        if self.min_base_fee is not None:
            out["minBaseFee"] = hex(self.min_base_fee)
        return out
