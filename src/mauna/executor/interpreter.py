"""A faster dispatch loop for py-evm computations.

py-evm runs every opcode through an ``Opcode`` object, a gas-meter method call and typed stack
helpers. This loop executes the most frequent opcodes (PUSH1…PUSH32, DUP, SWAP, POP, JUMPDEST,
JUMP, JUMPI and the one-step arithmetic / comparison / bitwise ops) inline on the same stack
list, gas meter and code stream, and hands every other opcode to py-evm's own implementation,
so the semantics stay py-evm's: same gas costs (checked against the fork's opcode table when a
class is built), same errors (``OutOfGas``, ``InsufficientStack``, ``FullStack``,
``InvalidJumpDestination``, ``InvalidInstruction``), same halting.
"""

from __future__ import annotations

from typing import Any

from eth.exceptions import (
    FullStack,
    Halt,
    InsufficientStack,
    InvalidInstruction,
    InvalidJumpDestination,
)
from eth.vm.computation import NO_RESULT
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.opcode_values import JUMPDEST

UINT256 = (1 << 256) - 1
STACK_LIMIT = 1024

# Opcodes executed inline and the gas py-evm charges for them (verified per class).
INLINE_GAS = {
    0x01: 3, 0x03: 3, 0x10: 3, 0x11: 3, 0x14: 3, 0x15: 3, 0x16: 3, 0x17: 3, 0x18: 3, 0x19: 3,
    0x1B: 3, 0x1C: 3, 0x50: 2, 0x56: 8, 0x57: 10, 0x5B: 1,
    **{op: 3 for op in range(0x60, 0xA0)},
}  # fmt: skip


def check_inline_gas(opcodes: dict[int, Any]) -> None:
    """Fail loudly if the fork's opcode table disagrees with the inline gas costs."""
    for op, gas in INLINE_GAS.items():
        fn = opcodes.get(op)
        if getattr(fn, "gas_cost", None) != gas:
            raise RuntimeError(f"opcode 0x{op:02x}: inline gas {gas} differs from py-evm's")


def _int(value: int | bytes) -> int:
    return value if type(value) is int else int.from_bytes(value, "big")  # type: ignore[arg-type]


def run_code(computation: Any) -> None:
    """Execute ``computation``'s code to completion (until a ``Halt`` or an error)."""
    code = computation.code
    raw: bytes = code._raw_code_bytes
    size = len(raw)
    stack: list[Any] = computation._stack.values
    push = stack.append
    pop = stack.pop
    meter = computation._gas_meter
    opcodes = computation.opcodes
    is_valid = code.is_valid_opcode
    pc = code.program_counter
    while True:
        if pc >= size:
            op = 0x00
        else:
            op = raw[pc]
        pc += 1
        cost = INLINE_GAS.get(op)
        if cost is None or pc > size:
            code.program_counter = pc
            fn = opcodes.get(op)
            if fn is None:
                fn = InvalidOpcode(op)
            try:
                fn(computation=computation)
            except Halt:
                return
            pc = code.program_counter
            continue
        gas = meter.gas_remaining
        if gas < cost:
            code.program_counter = pc
            computation.consume_gas(cost, reason=f"opcode 0x{op:02x}")  # raises OutOfGas
        meter.gas_remaining = gas - cost
        depth = len(stack)
        if op >= 0x60:
            if op < 0x80:  # PUSHn
                if depth >= STACK_LIMIT:
                    raise FullStack("Stack limit reached")
                n = op - 0x5F
                chunk = raw[pc : pc + n]
                value = int.from_bytes(chunk, "big")
                if len(chunk) < n:
                    value <<= 8 * (n - len(chunk))
                push(value)
                pc += n
            elif op < 0x90:  # DUPn
                n = op - 0x7F
                if depth >= STACK_LIMIT:
                    raise FullStack("Stack limit reached")
                if depth < n:
                    raise InsufficientStack(f"Insufficient stack items for DUP{n}")
                push(stack[-n])
            else:  # SWAPn
                n = op - 0x8F
                if depth <= n:
                    raise InsufficientStack(f"Insufficient stack items for SWAP{n}")
                stack[-1], stack[-n - 1] = stack[-n - 1], stack[-1]
            continue
        if op == 0x5B:  # JUMPDEST
            continue
        if op == 0x50:  # POP
            if not depth:
                raise InsufficientStack("Wanted 1 stack item, had none")
            pop()
            continue
        if op == 0x56 or op == 0x57:  # JUMP, JUMPI
            if op == 0x56:
                if not depth:
                    raise InsufficientStack("Wanted 1 stack item, had none")
                dest = _int(pop())
                jump = True
            else:
                if depth < 2:
                    raise InsufficientStack(f"Wanted 2 stack items, only had {depth}")
                dest = _int(pop())
                jump = bool(_int(pop()))
            if jump:
                if dest >= size or raw[dest] != JUMPDEST:
                    code.program_counter = dest
                    raise InvalidJumpDestination("Invalid Jump Destination")
                if not is_valid(dest):
                    code.program_counter = dest
                    raise InvalidInstruction("Jump resulted in invalid instruction")
                pc = dest
            continue
        if op == 0x15:  # ISZERO
            if not depth:
                raise InsufficientStack("Wanted 1 stack item, had none")
            push(0 if _int(pop()) else 1)
            continue
        if op == 0x19:  # NOT
            if not depth:
                raise InsufficientStack("Wanted 1 stack item, had none")
            push(UINT256 ^ _int(pop()))
            continue
        if depth < 2:
            raise InsufficientStack(f"Wanted 2 stack items, only had {depth}")
        a = _int(pop())
        b = _int(pop())
        if op == 0x01:
            push((a + b) & UINT256)
        elif op == 0x03:
            push((a - b) & UINT256)
        elif op == 0x16:
            push(a & b)
        elif op == 0x17:
            push(a | b)
        elif op == 0x18:
            push(a ^ b)
        elif op == 0x10:
            push(1 if a < b else 0)
        elif op == 0x11:
            push(1 if a > b else 0)
        elif op == 0x14:
            push(1 if a == b else 0)
        elif op == 0x1B:  # SHL: shift, value
            push((b << a) & UINT256 if a < 256 else 0)
        else:  # 0x1C SHR: shift, value
            push(b >> a if a < 256 else 0)


class FastInterpreterMixin:
    """``apply_computation`` with :func:`run_code` as the dispatch loop."""

    @classmethod
    def apply_computation(
        cls,
        state: Any,
        message: Any,
        transaction_context: Any,
        parent_computation: Any = None,
    ) -> Any:
        factory: Any = cls
        with factory(state, message, transaction_context) as computation:
            if computation.is_origin_computation:
                computation.contracts_created = []
                if message.is_create:
                    factory.consume_initcode_gas_cost(computation)
            if parent_computation is not None:
                computation.contracts_created = parent_computation.contracts_created
            if message.is_create:
                computation.contracts_created.append(message.storage_address)
            precompile = computation.precompiles.get(message.code_address, NO_RESULT)
            if precompile is not NO_RESULT:
                if not message.is_delegation:
                    precompile(computation)
                return computation
            run_code(computation)
        return computation
