"""Transactions as the OP Stack EVM runs them: py-evm's signed transactions plus deposits.

Spec: protocol/deposits.md, "The Deposited Transaction Type" and "Execution". A deposit has no
signature, nonce or fee fields: :class:`DepositTransaction` gives py-evm's executor the view it
expects (zero fee caps, empty access list) around a :class:`mauna.protocol.deposits.DepositTx`.
User transactions are decoded by the py-evm transaction builder of the fork's base VM; blob
transactions are rejected from Ecotone on (exec-engine.md "Ecotone: disable Blob-transactions").
"""

from __future__ import annotations

from typing import Any

from eth.constants import CREATE_CONTRACT_ADDRESS
from eth_utils import ValidationError

from mauna.errors import DecodeError, DepositError, ExecutionError
from mauna.primitives.bytes import keccak256, to_hex
from mauna.protocol.deposits import DEPOSIT_TX_TYPE, DepositTx

BLOB_TX_TYPE = 0x03
SET_CODE_TX_TYPE = 0x04

# Intrinsic gas schedule (Istanbul calldata prices, EIP-3860 initcode words from Shanghai).
TX_GAS = 21_000
TX_GAS_CONTRACT_CREATION = 53_000
TX_DATA_ZERO_GAS = 4
TX_DATA_NON_ZERO_GAS = 16
INITCODE_WORD_GAS = 2
# EIP-7623 (Prague, so Isthmus): calldata floor, 10 gas per token, a non-zero byte being 4 tokens.
TOTAL_COST_FLOOR_PER_TOKEN = 10
STANDARD_TOKEN_COST = 4


class InvalidTransactionError(ExecutionError):
    """A transaction of the payload cannot be included (bad encoding, signature, nonce, funds…)."""


def intrinsic_gas(data: bytes, is_create: bool, *, shanghai: bool) -> int:
    """Intrinsic gas of a deposit (no access list): base + calldata + initcode words."""
    zeros = data.count(0)
    gas = TX_GAS_CONTRACT_CREATION if is_create else TX_GAS
    gas += zeros * TX_DATA_ZERO_GAS + (len(data) - zeros) * TX_DATA_NON_ZERO_GAS
    if is_create and shanghai:
        gas += INITCODE_WORD_GAS * ((len(data) + 31) // 32)
    return gas


def floor_data_gas(data: bytes) -> int:
    """EIP-7623's minimum gas for a transaction carrying ``data``."""
    zeros = data.count(0)
    tokens = zeros + (len(data) - zeros) * STANDARD_TOKEN_COST
    return TX_GAS + TOTAL_COST_FLOOR_PER_TOKEN * tokens


class DepositTransaction:
    """A deposit, shaped like a py-evm signed transaction with a gas price of zero."""

    type_id = DEPOSIT_TX_TYPE
    gas_price = 0
    max_fee_per_gas = 0
    max_priority_fee_per_gas = 0
    access_list: tuple[Any, ...] = ()
    blob_versioned_hashes: tuple[bytes, ...] = ()
    authorization_list: tuple[Any, ...] = ()

    __slots__ = ("data", "deposit", "gas", "hash", "intrinsic_gas", "raw", "sender", "to", "value")

    def __init__(self, deposit: DepositTx, raw: bytes, *, shanghai: bool) -> None:
        self.deposit = deposit
        self.raw = raw
        self.hash = keccak256(raw)
        self.sender = deposit.from_
        self.to = deposit.to if deposit.to is not None else CREATE_CONTRACT_ADDRESS
        self.value = deposit.value
        self.gas = deposit.gas
        self.data = deposit.data
        self.intrinsic_gas = intrinsic_gas(deposit.data, deposit.to is None, shanghai=shanghai)

    @property
    def mint(self) -> int:
        return self.deposit.mint

    @property
    def is_system_tx(self) -> bool:
        return self.deposit.is_system_tx

    @property
    def is_create(self) -> bool:
        return self.deposit.to is None

    def __repr__(self) -> str:
        return f"DepositTransaction({to_hex(self.hash)})"


def decode_transaction(raw: bytes, index: int, builder: Any, *, shanghai: bool, allow_set_code: bool) -> Any:
    """Decode one EIP-2718 transaction of a payload into a py-evm transaction or a deposit.

    Any malformation raises :class:`InvalidTransactionError` naming the index.
    """
    if not raw:
        raise InvalidTransactionError(f"transaction {index}: empty encoding")
    type_byte = raw[0]
    if type_byte == DEPOSIT_TX_TYPE:
        try:
            return DepositTransaction(DepositTx.decode(raw), raw, shanghai=shanghai)
        except (DepositError, DecodeError) as exc:
            raise InvalidTransactionError(f"transaction {index}: {exc}") from exc
    if type_byte == BLOB_TX_TYPE:
        raise InvalidTransactionError(f"transaction {index}: blob transactions are not allowed on L2")
    if type_byte == SET_CODE_TX_TYPE and not allow_set_code:
        raise InvalidTransactionError(f"transaction {index}: set-code transactions need Isthmus")
    try:
        tx = builder.decode(raw)
        _ = tx.sender  # recover the signer now, so a bad signature is reported with its index
    except (ValidationError, ValueError, TypeError, IndexError, KeyError) as exc:
        raise InvalidTransactionError(f"transaction {index} ({to_hex(keccak256(raw))}): {exc}") from exc
    except Exception as exc:  # rlp and eth-keys raise their own exception families
        raise InvalidTransactionError(
            f"transaction {index} ({to_hex(keccak256(raw))}): {type(exc).__name__}: {exc}"
        ) from exc
    return tx
