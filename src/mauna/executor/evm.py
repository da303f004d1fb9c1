"""The OP Stack EVM: py-evm fork classes extended with the OP Stack execution rules.

Each OP fork runs on the py-evm fork whose L1 rules it adopts (Bedrock/Regolith: London,
Canyon/Delta: Shanghai, Ecotone…Holocene: Cancun, Isthmus/Jovian: Prague), with these changes:

- deposits (protocol/deposits.md "Execution"): mint first and unconditionally, no signature,
  nonce or fee checks, no fee payments, a failed deposit is reverted but still bumps the nonce
  and uses its whole gas limit; before Regolith the stated gas used is the gas limit (system
  deposits: 0); from Isthmus EIP-7623's calldata floor applies to deposits as to any transaction
  (a gas limit below it fails the deposit, the gas used is at least the floor);
- fees (protocol/exec-engine.md "Fees"): base fee to the BaseFeeVault instead of burnt, L1 data
  fee charged up front to the sender and paid to the L1FeeVault, the operator fee from Isthmus
  (protocol/isthmus/exec-engine.md "Operator Fee", Jovian's formula in
  protocol/jovian/exec-engine.md);
- no L1 system contracts are set up implicitly: OP deploys them with upgrade deposits;
- precompiles per :mod:`mauna.executor.precompiles`.

Trie nodes and bytecode are read through :class:`mauna.mpt.db.ProviderDB`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth.constants import EMPTY_SHA3
from eth.db.account import AccountDB
from eth.vm.forks.cancun import CancunVM
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.forks.cancun.state import CancunState, CancunTransactionExecutor
from eth.vm.forks.london import LondonVM
from eth.vm.forks.london.computation import LondonComputation
from eth.vm.forks.london.state import LondonState, LondonTransactionExecutor
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState, PragueTransactionExecutor
from eth.vm.forks.shanghai import ShanghaiVM
from eth.vm.forks.shanghai.computation import ShanghaiComputation
from eth.vm.forks.shanghai.state import ShanghaiState, ShanghaiTransactionExecutor
from eth.vm.forks.spurious_dragon._utils import collect_touched_accounts
from eth.vm.message import Message
from eth_hash.auto import keccak
from eth_typing import Address, Hash32
from eth_utils import ValidationError

from mauna.executor.chain import OpFork
from mauna.executor.constants import (
    BASE_FEE_VAULT,
    L1_BLOCK_ADDRESS,
    L1_FEE_VAULT,
    OPERATOR_FEE_VAULT,
    SYSTEM_ADDRESS,
    SYSTEM_CALL_GAS,
)
from mauna.executor.interpreter import FastInterpreterMixin, check_inline_gas
from mauna.executor.precompiles import PrecompileAccelerator, op_precompiles
from mauna.executor.transactions import DepositTransaction, floor_data_gas
from mauna.mpt.db import ProviderDB
from mauna.mpt.provider import NoopTrieHinter
from mauna.protocol.fees import DEFAULT_DA_FOOTPRINT_GAS_SCALAR, L1CostParams, l1_cost, operator_fee

MAX_INITCODE_SIZE = 2 * 24_576
DELEGATION_PREFIX = b"\xef\x01\x00"


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """What one transaction left for its receipt."""

    success: bool
    gas_used: int
    logs: tuple[tuple[bytes, tuple[int, ...], bytes], ...]
    deposit_nonce: int | None = None


# --- state access through the provider ---------------------------------------------------------
class ProviderAccountDB(AccountDB):
    """py-evm's ``AccountDB`` reading bytecode with ``bytecode_by_hash`` and sending proof hints."""

    def __init__(self, db: Any, state_root: Hash32) -> None:
        super().__init__(db, state_root)
        store = getattr(db, "wrapped_db", None)
        self._store: ProviderDB | None = store if isinstance(store, ProviderDB) else None
        self._codes: dict[bytes, bytes] = {}
        self._hint = self._store is not None and not isinstance(self._store.hinter, NoopTrieHinter)
        self._hinted: set[Any] = set()
        self.hint_block_number = 0

    def get_code(self, address: Address) -> bytes:
        code_hash = self.get_code_hash(address)
        if code_hash == EMPTY_SHA3:
            return b""
        code = self._codes.get(code_hash)
        if code is None:
            if self._store is None:
                return bytes(super().get_code(address))
            code = self._store.overlay.get(code_hash)
            if code is None:
                code = self._store.provider.bytecode_by_hash(code_hash)
            self._codes[code_hash] = code
        return code

    def set_code(self, address: Address, code: bytes) -> None:
        super().set_code(address, code)
        self._codes[keccak(code)] = bytes(code)

    def _get_encoded_account(self, address: Address, from_journal: bool = True) -> bytes:
        if self._hint and address not in self._hinted and self._store is not None:
            self._hinted.add(address)
            self._store.hinter.hint_account_proof(address, self.hint_block_number)
        return bytes(super()._get_encoded_account(address, from_journal))

    def get_storage(self, address: Address, slot: int, from_journal: bool = True) -> int:
        if self._hint and self._store is not None and (address, slot) not in self._hinted:
            self._hinted.add((address, slot))
            self._store.hinter.hint_storage_proof(address, slot, self.hint_block_number)
        return int(super().get_storage(address, slot, from_journal))

    def storage_root(self, address: Address) -> bytes:
        """The storage root of ``address`` as committed by the last ``make_state_root``."""
        return bytes(self._get_storage_root(address))


# --- state -------------------------------------------------------------------------------------
class OpStateMixin:
    """OP Stack additions to a py-evm state: fork flags and the L1Block fee parameters."""

    op_fork: OpFork = OpFork.BEDROCK
    _l1_params: L1CostParams | None = None
    _da_scalar: int | None = None

    # Provided by the py-evm state class this is mixed into.
    get_storage: Any
    _account_db: Any

    def set_system_contracts(self) -> None:
        """OP Stack chains get the EIP-4788 / EIP-2935 contracts from upgrade deposits."""

    def reset_fee_params(self) -> None:
        """Forget the cached L1 fee parameters (they are read after the block's deposits)."""
        self._l1_params = None
        self._da_scalar = None

    def l1_params(self) -> L1CostParams:
        """L1 fee parameters from the L1Block predeploy's storage, read once per block.

        exec-engine.md "L1-Cost fees": base fee slot 1, overhead 5, scalar 6, blob base fee 7,
        Ecotone scalars in slot 3 (offsets 12 and 8), Isthmus operator fee params in slot 8.
        """
        if self._l1_params is None:
            read = self.get_storage
            scalars = read(L1_BLOCK_ADDRESS, 3).to_bytes(32, "big")
            operator = (
                read(L1_BLOCK_ADDRESS, 8).to_bytes(32, "big") if self.op_fork >= OpFork.ISTHMUS else None
            )
            self._l1_params = L1CostParams(
                l1_base_fee=read(L1_BLOCK_ADDRESS, 1),
                overhead=read(L1_BLOCK_ADDRESS, 5) if self.op_fork < OpFork.ECOTONE else 0,
                scalar=read(L1_BLOCK_ADDRESS, 6) if self.op_fork < OpFork.ECOTONE else 0,
                blob_base_fee=read(L1_BLOCK_ADDRESS, 7) if self.op_fork >= OpFork.ECOTONE else 0,
                base_fee_scalar=int.from_bytes(scalars[16:20], "big"),
                blob_base_fee_scalar=int.from_bytes(scalars[20:24], "big"),
                operator_fee_scalar=0 if operator is None else int.from_bytes(operator[20:24], "big"),
                operator_fee_constant=0 if operator is None else int.from_bytes(operator[24:32], "big"),
            )
            if self.op_fork >= OpFork.ECOTONE and self._l1_params.ecotone_scalars_empty:
                # First Ecotone block: the Bedrock function with the Bedrock parameters.
                self._l1_params = L1CostParams(
                    l1_base_fee=self._l1_params.l1_base_fee,
                    overhead=read(L1_BLOCK_ADDRESS, 5),
                    scalar=read(L1_BLOCK_ADDRESS, 6),
                )
        return self._l1_params

    def l1_cost(self, raw_tx: bytes) -> int:
        fork = self.op_fork
        return l1_cost(
            self.l1_params(),
            raw_tx,
            regolith=fork >= OpFork.REGOLITH,
            ecotone=fork >= OpFork.ECOTONE,
            fjord=fork >= OpFork.FJORD,
        )

    def operator_fee(self, gas: int) -> int:
        if self.op_fork < OpFork.ISTHMUS:
            return 0
        params = self.l1_params()
        if params.operator_fee_scalar == 0 and params.operator_fee_constant == 0:
            return 0
        return operator_fee(
            gas,
            params.operator_fee_scalar,
            params.operator_fee_constant,
            jovian=self.op_fork >= OpFork.JOVIAN,
        )

    def da_footprint_gas_scalar(self) -> int:
        """Jovian: uint16 at offset 12 of L1Block slot 8, 0 meaning the default (jovian/l1-attributes.md)."""
        if self._da_scalar is None:
            raw = self.get_storage(L1_BLOCK_ADDRESS, 8).to_bytes(32, "big")
            value = int.from_bytes(raw[18:20], "big")
            self._da_scalar = value or DEFAULT_DA_FOOTPRINT_GAS_SCALAR
        return self._da_scalar

    def system_call(self, to: bytes, data: bytes) -> None:
        """EIP-4788 / EIP-2935 style call from the system address: no gas accounting, no fees."""
        state: Any = self
        code = state.get_code(to)
        if not code:
            return
        message = Message(
            gas=SYSTEM_CALL_GAS, to=Address(to), sender=Address(SYSTEM_ADDRESS), value=0, data=data, code=code
        )
        context = state.get_transaction_context_class()(gas_price=0, origin=SYSTEM_ADDRESS)
        state.computation_class.apply_message(state, message, context)


# --- transaction executor ----------------------------------------------------------------------
class OpExecutorMixin:
    """Deposit processing and OP fee accounting around a py-evm transaction executor."""

    vm_state: Any
    raw_tx: bytes = b""
    outcome: TxOutcome | None = None
    _l1_cost: int = 0

    # -- dispatch ------------------------------------------------------------------------------
    def __call__(self, transaction: Any) -> Any:
        if not isinstance(transaction, DepositTransaction):
            return super().__call__(transaction)  # type: ignore[misc]
        computation = self._apply_deposit(transaction)
        if self.vm_state.op_fork >= OpFork.ECOTONE:
            self.vm_state.clear_transient_storage()
        return computation

    # -- user transactions ---------------------------------------------------------------------
    def validate_transaction(self, transaction: Any) -> None:
        super().validate_transaction(transaction)  # type: ignore[misc]
        state = self.vm_state
        sender = transaction.sender
        code_hash = state.get_code_hash(sender)
        if code_hash != EMPTY_SHA3:
            code = state.get_code(sender)
            if not (state.op_fork >= OpFork.ISTHMUS and code.startswith(DELEGATION_PREFIX)):
                raise ValidationError(f"sender 0x{sender.hex()} is not an EOA (EIP-3607)")
        self._l1_cost = state.l1_cost(self.raw_tx)
        needed = (
            transaction.gas * transaction.max_fee_per_gas
            + transaction.value
            + self._l1_cost
            + state.operator_fee(transaction.gas)
        )
        balance = state.get_balance(sender)
        if balance < needed:
            raise ValidationError(
                f"sender 0x{sender.hex()} has {balance} wei, needs {needed} (gas, value, L1 fee)"
            )
        if (
            transaction.to == b""
            and state.op_fork >= OpFork.CANYON
            and len(transaction.data) > MAX_INITCODE_SIZE
        ):
            raise ValidationError(f"initcode of {len(transaction.data)} bytes exceeds {MAX_INITCODE_SIZE}")

    def build_evm_message(self, transaction: Any) -> Any:
        message = super().build_evm_message(transaction)  # type: ignore[misc]
        if not isinstance(transaction, DepositTransaction):
            extra = self._l1_cost + self.vm_state.operator_fee(transaction.gas)
            if extra:
                self.vm_state.delta_balance(transaction.sender, -extra)
        return message

    def finalize_computation(self, transaction: Any, computation: Any) -> Any:
        computation = super().finalize_computation(transaction, computation)  # type: ignore[misc]
        state = self.vm_state
        gas_remaining = computation.get_gas_remaining()
        refund = self.calculate_gas_refund(computation, transaction.gas - gas_remaining)  # type: ignore[attr-defined]
        gas_used = transaction.gas - gas_remaining - refund + getattr(computation, "data_floor_gas", 0)
        state.delta_balance(BASE_FEE_VAULT, gas_used * state.execution_context.base_fee_per_gas)
        if self._l1_cost:
            state.delta_balance(L1_FEE_VAULT, self._l1_cost)
        if state.op_fork >= OpFork.ISTHMUS:
            charged = state.operator_fee(transaction.gas)
            actual = state.operator_fee(gas_used)
            if charged - actual:
                state.delta_balance(transaction.sender, charged - actual)
            state.delta_balance(OPERATOR_FEE_VAULT, actual)
        self.outcome = TxOutcome(
            success=not computation.is_error,
            gas_used=gas_used,
            logs=tuple(computation.get_log_entries()),
        )
        return computation

    # -- deposits ------------------------------------------------------------------------------
    def _apply_deposit(self, tx: DepositTransaction) -> Any:
        state = self.vm_state
        fork = state.op_fork
        sender = tx.sender
        if tx.mint:
            state.delta_balance(sender, tx.mint)
        nonce_before = state.get_nonce(sender)
        deposit_nonce = nonce_before if fork >= OpFork.REGOLITH else None
        failure = self._deposit_failure(tx)
        if failure is not None:
            state.increment_nonce(sender)
            gas_used = 0 if (tx.is_system_tx and fork < OpFork.REGOLITH) else tx.gas
            self.outcome = TxOutcome(False, gas_used, (), deposit_nonce)
            return None
        message = self.build_evm_message(tx)
        computation = self.build_computation(message, tx)  # type: ignore[attr-defined]
        gas_remaining = computation.get_gas_remaining()
        if fork >= OpFork.REGOLITH:
            refund = self.calculate_gas_refund(computation, tx.gas - gas_remaining)  # type: ignore[attr-defined]
            gas_used = tx.gas - gas_remaining - refund
            if fork >= OpFork.ISTHMUS:
                gas_used = max(gas_used, floor_data_gas(tx.data))  # EIP-7623, see _deposit_failure
        else:
            gas_used = 0 if tx.is_system_tx else tx.gas
        for account in computation.get_accounts_for_deletion():
            state.delete_account(account)
        coinbase = state.coinbase
        for account in collect_touched_accounts(computation):
            if account == coinbase:
                continue  # deposits pay nothing to the fee recipient, so do not touch it
            if state.account_exists(account) and state.account_is_empty(account):
                state.delete_account(account)
        self.outcome = TxOutcome(
            not computation.is_error, gas_used, tuple(computation.get_log_entries()), deposit_nonce
        )
        return computation

    def _deposit_failure(self, tx: DepositTransaction) -> str | None:
        """The non-EVM error that fails a deposit before execution, if any."""
        state = self.vm_state
        if tx.is_system_tx and state.op_fork >= OpFork.REGOLITH:
            return "system transactions are not supported after Regolith"
        if tx.gas < tx.intrinsic_gas:
            return f"intrinsic gas {tx.intrinsic_gas} exceeds gas limit {tx.gas}"
        if state.op_fork >= OpFork.ISTHMUS:
            # Isthmus adopts Prague's EIP-7623 (protocol/isthmus/overview.md) with no exemption
            # for deposits: as in op-geth's state transition and op-revm's handler (which keeps
            # the mainnet initial-gas and floor checks for every transaction type), a deposit
            # whose gas limit is below the calldata floor fails, and a deposit that runs pays
            # at least the floor.
            floor = floor_data_gas(tx.data)
            if tx.gas < floor:
                return f"calldata floor gas {floor} exceeds gas limit {tx.gas}"
        if tx.value and state.get_balance(tx.sender) < tx.value:
            return "insufficient balance for value transfer"
        if tx.is_create and state.op_fork >= OpFork.CANYON and len(tx.data) > MAX_INITCODE_SIZE:
            return "initcode too large"
        return None


# --- per-fork classes --------------------------------------------------------------------------
class OpLondonExecutor(OpExecutorMixin, LondonTransactionExecutor):
    pass


class OpShanghaiExecutor(OpExecutorMixin, ShanghaiTransactionExecutor):
    pass


class OpCancunExecutor(OpExecutorMixin, CancunTransactionExecutor):
    pass


class OpPragueExecutor(OpExecutorMixin, PragueTransactionExecutor):
    pass


def _computation(name: str, base: Any, fork: OpFork, accelerator: PrecompileAccelerator | None = None) -> Any:
    precompiles = op_precompiles(
        base.get_precompiles(),
        fjord=fork >= OpFork.FJORD,
        granite=fork >= OpFork.GRANITE,
        isthmus=fork >= OpFork.ISTHMUS,
        jovian=fork >= OpFork.JOVIAN,
        accelerator=accelerator,
    )
    inline_costs = check_inline_gas(base.opcodes)
    return type(
        name,
        (FastInterpreterMixin, base),
        {"_precompiles": precompiles, "_inline_costs": inline_costs, "__module__": __name__},
    )


class OpLondonState(OpStateMixin, LondonState):
    account_db_class = ProviderAccountDB
    transaction_executor_class = OpLondonExecutor


class OpShanghaiState(OpStateMixin, ShanghaiState):
    account_db_class = ProviderAccountDB
    transaction_executor_class = OpShanghaiExecutor


class OpCancunState(OpStateMixin, CancunState):
    account_db_class = ProviderAccountDB
    transaction_executor_class = OpCancunExecutor


class OpPragueState(OpStateMixin, PragueState):
    account_db_class = ProviderAccountDB
    transaction_executor_class = OpPragueExecutor


@dataclass(frozen=True, slots=True)
class OpForkSpec:
    """The py-evm classes one OP fork runs on."""

    fork: OpFork
    vm_class: Any
    state_class: Any


_BASES: dict[OpFork, tuple[Any, Any, Any]] = {
    OpFork.BEDROCK: (LondonVM, OpLondonState, LondonComputation),
    OpFork.REGOLITH: (LondonVM, OpLondonState, LondonComputation),
    OpFork.CANYON: (ShanghaiVM, OpShanghaiState, ShanghaiComputation),
    OpFork.DELTA: (ShanghaiVM, OpShanghaiState, ShanghaiComputation),
    OpFork.ECOTONE: (CancunVM, OpCancunState, CancunComputation),
    OpFork.FJORD: (CancunVM, OpCancunState, CancunComputation),
    OpFork.GRANITE: (CancunVM, OpCancunState, CancunComputation),
    OpFork.HOLOCENE: (CancunVM, OpCancunState, CancunComputation),
    OpFork.ISTHMUS: (PragueVM, OpPragueState, PragueComputation),
    OpFork.JOVIAN: (PragueVM, OpPragueState, PragueComputation),
}


def _build_specs() -> dict[OpFork, OpForkSpec]:
    specs: dict[OpFork, OpForkSpec] = {}
    for fork, (vm_base, state_base, computation_base) in _BASES.items():
        name = fork.name.capitalize()
        computation = _computation(f"Op{name}Computation", computation_base, fork)
        state = type(f"Op{name}State", (state_base,), {"computation_class": computation, "op_fork": fork})
        vm = type(f"Op{name}VM", (vm_base,), {"fork": f"op-{fork.name.lower()}", "_state_class": state})
        specs[fork] = OpForkSpec(fork, vm, state)
    return specs


FORK_SPECS: dict[OpFork, OpForkSpec] = _build_specs()


def accelerated_spec(fork: OpFork, accelerator: PrecompileAccelerator) -> OpForkSpec:
    """The fork's classes with its expensive precompiles run by ``accelerator`` (new classes,
    so the shared :data:`FORK_SPECS` stay untouched)."""
    spec = FORK_SPECS[fork]
    _vm, _state, computation_base = _BASES[fork]
    name = fork.name.capitalize()
    computation = _computation(f"Op{name}AcceleratedComputation", computation_base, fork, accelerator)
    state = type(f"Op{name}AcceleratedState", (spec.state_class,), {"computation_class": computation})
    return OpForkSpec(fork, spec.vm_class, state)
