"""The per-transaction ``tx_datas`` element of a span batch: the variable-length fields of a user
transaction, RLP-encoded under its EIP-2718 type byte.

Spec: protocol/delta/span-batches.md, "Span batch format", ``tx_datas``:

- legacy: ``rlp_encode(value, gasPrice, data)``
- 1 (EIP-2930): ``0x01 ++ rlp_encode(value, gasPrice, data, accessList)``
- 2 (EIP-1559): ``0x02 ++ rlp_encode(value, max_priority_fee_per_gas, max_fee_per_gas, data,
  access_list)``

and protocol/isthmus/derivation.md, "Span Batch Updates":

- 4 (EIP-7702): ``0x04 ++ rlp_encode(value, max_priority_fee_per_gas, max_fee_per_gas, data,
  access_list, authorization_list)``

The remaining fields (nonce, gas, to, signature, chain id) live elsewhere in the span batch and are
joined back by :meth:`SpanBatchTxData.to_signed_tx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mauna.errors import BatchError, DecodeError, TransactionError
from mauna.primitives.rlp_utils import rlp_decode, rlp_encode
from mauna.protocol.batch.tx import (
    ACCESS_LIST_TX_TYPE,
    BATCH_TX_TYPES,
    DYNAMIC_FEE_TX_TYPE,
    LEGACY_TX_TYPE,
    SET_CODE_TX_TYPE,
    AccessList,
    Authorization,
    SignedTx,
    access_list_rlp,
    check_access_list,
    check_authorizations,
    check_uint,
    decode_access_list,
    decode_authorization_list,
    decode_bytes,
    decode_list,
    decode_uint,
)
from mauna.protocol.batch.wire import MAX_RLP_NESTING, rlp_nesting_exceeds


@dataclass(frozen=True, slots=True)
class SpanBatchTxData:
    """One ``tx_datas`` element. Which fee fields apply depends on ``tx_type`` (as in SignedTx)."""

    tx_type: int
    value: int
    data: bytes
    gas_price: int = 0
    max_priority_fee_per_gas: int = 0
    max_fee_per_gas: int = 0
    access_list: AccessList = ()
    authorization_list: tuple[Authorization, ...] = ()

    def encode(self) -> bytes:
        what = "span batch tx data"
        try:
            for name in ("value", "gas_price", "max_priority_fee_per_gas", "max_fee_per_gas"):
                check_uint(getattr(self, name), f"{what}.{name}")
            check_access_list(self.access_list, f"{what}.access_list")
            check_authorizations(self.authorization_list, f"{what}.authorization_list")
        except TransactionError as exc:
            raise BatchError(str(exc)) from exc
        t = self.tx_type
        if t == LEGACY_TX_TYPE:
            return rlp_encode([self.value, self.gas_price, self.data])
        al = access_list_rlp(self.access_list)
        if t == ACCESS_LIST_TX_TYPE:
            fields: list[Any] = [self.value, self.gas_price, self.data, al]
        elif t in (DYNAMIC_FEE_TX_TYPE, SET_CODE_TX_TYPE):
            fields = [self.value, self.max_priority_fee_per_gas, self.max_fee_per_gas, self.data, al]
            if t == SET_CODE_TX_TYPE:
                fields.append([auth.to_rlp() for auth in self.authorization_list])
        else:
            raise BatchError(f"span batch tx data: unsupported transaction type {t}")
        return bytes([t]) + rlp_encode(fields)

    @classmethod
    def decode(cls, data: bytes, what: str = "span batch tx data") -> SpanBatchTxData:
        """Decode one ``tx_datas`` element (exactly; no trailing bytes)."""
        try:
            return cls._decode(data, what)
        except (TransactionError, DecodeError) as exc:
            raise BatchError(str(exc)) from exc

    @classmethod
    def _decode(cls, data: bytes, what: str) -> SpanBatchTxData:
        if not data:
            raise BatchError(f"{what}: empty")
        if rlp_nesting_exceeds(data):
            raise BatchError(f"{what}: RLP lists nested deeper than {MAX_RLP_NESTING} levels")
        t = data[0]
        if t > 0x7F:
            f = decode_list(rlp_decode(data, what=what), what, 3)
            return cls(
                tx_type=LEGACY_TX_TYPE,
                value=decode_uint(f[0], f"{what}.value"),
                gas_price=decode_uint(f[1], f"{what}.gas_price"),
                data=decode_bytes(f[2], f"{what}.data"),
            )
        if t not in BATCH_TX_TYPES or t == LEGACY_TX_TYPE:
            raise BatchError(f"{what}: unsupported transaction type 0x{t:02x}")
        item = rlp_decode(data[1:], what=what)
        if t == ACCESS_LIST_TX_TYPE:
            f = decode_list(item, what, 4)
            return cls(
                tx_type=t,
                value=decode_uint(f[0], f"{what}.value"),
                gas_price=decode_uint(f[1], f"{what}.gas_price"),
                data=decode_bytes(f[2], f"{what}.data"),
                access_list=decode_access_list(f[3], f"{what}.access_list"),
            )
        f = decode_list(item, what, 6 if t == SET_CODE_TX_TYPE else 5)
        return cls(
            tx_type=t,
            value=decode_uint(f[0], f"{what}.value"),
            max_priority_fee_per_gas=decode_uint(f[1], f"{what}.max_priority_fee_per_gas"),
            max_fee_per_gas=decode_uint(f[2], f"{what}.max_fee_per_gas"),
            data=decode_bytes(f[3], f"{what}.data"),
            access_list=decode_access_list(f[4], f"{what}.access_list"),
            authorization_list=(
                decode_authorization_list(f[5], f"{what}.authorization_list") if t == SET_CODE_TX_TYPE else ()
            ),
        )

    def to_signed_tx(
        self,
        *,
        nonce: int,
        gas: int,
        to: bytes | None,
        chain_id: int,
        y_parity: int,
        r: int,
        s: int,
        protected: bool,
    ) -> SignedTx:
        """Rebuild the full signed transaction; ``protected`` only matters for legacy transactions."""
        if self.tx_type == SET_CODE_TX_TYPE and to is None:
            raise BatchError("a SetCode transaction cannot be a contract creation")
        legacy = self.tx_type == LEGACY_TX_TYPE
        return SignedTx(
            tx_type=self.tx_type,
            chain_id=chain_id if (protected or not legacy) else None,
            nonce=nonce,
            gas_limit=gas,
            to=to,
            value=self.value,
            data=self.data,
            y_parity=y_parity,
            r=r,
            s=s,
            gas_price=self.gas_price,
            max_priority_fee_per_gas=self.max_priority_fee_per_gas,
            max_fee_per_gas=self.max_fee_per_gas,
            access_list=self.access_list,
            authorization_list=self.authorization_list,
        )

    @classmethod
    def from_signed_tx(cls, tx: SignedTx) -> SpanBatchTxData:
        """The ``tx_datas`` fields of a signed transaction."""
        if tx.tx_type not in BATCH_TX_TYPES:
            raise BatchError(f"span batch tx data: unsupported transaction type {tx.tx_type}")
        return cls(
            tx_type=tx.tx_type,
            value=tx.value,
            data=tx.data,
            gas_price=tx.gas_price,
            max_priority_fee_per_gas=tx.max_priority_fee_per_gas,
            max_fee_per_gas=tx.max_fee_per_gas,
            access_list=tx.access_list,
            authorization_list=tx.authorization_list,
        )
