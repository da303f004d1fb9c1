"""A faster dispatch loop for py-evm computations.

py-evm runs every opcode through an ``Opcode`` object, a gas-meter method call and typed stack
helpers. This loop executes the most frequent opcodes inline on the same stack list, gas meter,
memory and code stream, and hands every other opcode to py-evm's own implementation, so the
semantics stay py-evm's: same gas costs (the fork's opcode table is checked, mnemonic and static
gas, when a computation class is built), same errors (``OutOfGas``, ``InsufficientStack``,
``FullStack``, ``InvalidJumpDestination``, ``InvalidInstruction``), same halting.

Inline: PUSH0…PUSH32, DUP, SWAP, POP, JUMPDEST, JUMP, JUMPI, the arithmetic / comparison /
bitwise ops without dynamic gas, MLOAD and MSTORE (with py-evm's memory-growth gas formula and
``OutOfGas``), CALLDATALOAD, CALLDATASIZE, CODESIZE, RETURNDATASIZE, ADDRESS, CALLER,
CALLVALUE and GAS. Jump destinations are checked with py-evm's own analysis
(``CodeStream.is_valid_opcode``), whose answers are kept per bytecode across calls.
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
UINT255 = (1 << 255) - 1
CEILING = 1 << 256
STACK_LIMIT = 1024

# Opcodes executed inline: (mnemonic, static gas) as py-evm's tables must have them.
INLINE_OPS: dict[int, tuple[str, int]] = {
    0x01: ("ADD", 3), 0x02: ("MUL", 5), 0x03: ("SUB", 3), 0x04: ("DIV", 5), 0x05: ("SDIV", 5),
    0x06: ("MOD", 5), 0x0B: ("SIGNEXTEND", 5), 0x10: ("LT", 3), 0x11: ("GT", 3),
    0x12: ("SLT", 3), 0x13: ("SGT", 3), 0x14: ("EQ", 3), 0x15: ("ISZERO", 3), 0x16: ("AND", 3),
    0x17: ("OR", 3), 0x18: ("XOR", 3), 0x19: ("NOT", 3), 0x1A: ("BYTE", 3), 0x1B: ("SHL", 3),
    0x1C: ("SHR", 3), 0x1D: ("SAR", 3), 0x30: ("ADDRESS", 2), 0x33: ("CALLER", 2),
    0x34: ("CALLVALUE", 2), 0x35: ("CALLDATALOAD", 3), 0x36: ("CALLDATASIZE", 2),
    0x38: ("CODESIZE", 2), 0x3D: ("RETURNDATASIZE", 2), 0x50: ("POP", 2), 0x51: ("MLOAD", 3),
    0x52: ("MSTORE", 3), 0x56: ("JUMP", 8), 0x57: ("JUMPI", 10), 0x5A: ("GAS", 2),
    0x5B: ("JUMPDEST", 1),
    **{0x60 + i: (f"PUSH{i + 1}", 3) for i in range(32)},
    **{0x80 + i: (f"DUP{i + 1}", 3) for i in range(16)},
    **{0x90 + i: (f"SWAP{i + 1}", 3) for i in range(16)},
}  # fmt: skip
# Inlined only where the fork has them (PUSH0 from Shanghai).
OPTIONAL_INLINE_OPS: dict[int, tuple[str, int]] = {0x5F: ("PUSH0", 2)}

CostTable = tuple[int | None, ...]

_MAX_CACHED_CODES = 4096
_JUMP_CACHE: dict[bytes, dict[int, bool]] = {}


def check_inline_gas(opcodes: dict[int, Any]) -> CostTable:
    """The inline gas of each opcode (``None``: not inline) for a fork's ``opcodes`` table.

    Fails loudly if py-evm's table disagrees with an inline opcode's mnemonic or gas.
    """
    table: dict[int, int] = {}
    for op, (mnemonic, gas) in INLINE_OPS.items():
        fn = opcodes.get(op)
        if getattr(fn, "mnemonic", None) != mnemonic or getattr(fn, "gas_cost", None) != gas:
            raise RuntimeError(f"opcode 0x{op:02x}: inline {mnemonic}/{gas} differs from py-evm's")
        table[op] = gas
    for op, (mnemonic, gas) in OPTIONAL_INLINE_OPS.items():
        fn = opcodes.get(op)
        if fn is None:
            continue
        if getattr(fn, "mnemonic", None) != mnemonic or getattr(fn, "gas_cost", None) != gas:
            raise RuntimeError(f"opcode 0x{op:02x}: inline {mnemonic}/{gas} differs from py-evm's")
        table[op] = gas
    return tuple(table.get(op) for op in range(256))


def _int(value: int | bytes) -> int:
    return value if type(value) is int else int.from_bytes(value, "big")  # type: ignore[arg-type]


def _jump_cache(raw: bytes) -> dict[int, bool]:
    cache = _JUMP_CACHE.get(raw)
    if cache is None:
        if len(_JUMP_CACHE) >= _MAX_CACHED_CODES:
            _JUMP_CACHE.clear()
        cache = _JUMP_CACHE[raw] = {}
    return cache


def _memory_cost(size: int) -> int:
    words = (size + 31) >> 5
    return words * 3 + words * words // 512


def _grow_memory(computation: Any, memory: Any, meter: Any, end: int) -> None:
    """Grow memory to cover ``[…, end)`` as py-evm's ``extend_memory`` does (``end`` > size).

    Same gas (3 per word plus words² / 512, only the increase), same ``OutOfGas`` (raised by
    py-evm itself when the increase is not affordable), memory grown to a whole word.
    """
    current = len(memory._bytes)
    new_size = (end + 31) & ~31
    fee = _memory_cost(new_size) - _memory_cost(current)
    gas = meter.gas_remaining
    if gas < fee:
        computation.extend_memory(end - 32, 32)  # raises OutOfGas
    meter.gas_remaining = gas - fee
    try:
        memory._bytes.extend(bytes(new_size - current))
    except BufferError:  # a live memoryview pins the buffer: py-evm then makes a new one
        memory._bytes = memory._bytes + bytearray(new_size - current)


def run_code(computation: Any, costs: CostTable) -> None:
    """Execute ``computation``'s code to completion (until a ``Halt`` or an error)."""
    code = computation.code
    raw: bytes = code._raw_code_bytes
    size = len(raw)
    stack: list[Any] = computation._stack.values
    push = stack.append
    pop = stack.pop
    meter = computation._gas_meter
    memory = computation._memory
    msg = computation.msg
    calldata = bytes(msg.data)
    opcodes = computation.opcodes
    jumps = _jump_cache(raw)
    pc = code.program_counter
    while True:
        op = raw[pc] if pc < size else 0x00
        pc += 1
        cost = costs[op]
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
        if op >= 0x5F:
            if op < 0x80:  # PUSH0…PUSH32
                if depth >= STACK_LIMIT:
                    raise FullStack("Stack limit reached")
                n = op - 0x5F
                if n:
                    chunk = raw[pc : pc + n]
                    value = int.from_bytes(chunk, "big")
                    if len(chunk) < n:
                        value <<= 8 * (n - len(chunk))
                    push(value)
                    pc += n
                else:
                    push(0)
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
        if op == 0x52 or op == 0x51:  # MSTORE, MLOAD
            if op == 0x52:
                if depth < 2:
                    raise InsufficientStack(f"Wanted 2 stack items, only had {depth}")
                start = _int(pop())
                value = pop()
                if start + 32 > len(memory._bytes):
                    code.program_counter = pc
                    _grow_memory(computation, memory, meter, start + 32)
                if type(value) is int:
                    memory._bytes[start : start + 32] = value.to_bytes(32, "big")
                else:
                    memory._bytes[start : start + 32] = value.rjust(32, b"\x00")[-32:]
            else:
                if not depth:
                    raise InsufficientStack("Wanted 1 stack item, had none")
                start = _int(pop())
                if start + 32 > len(memory._bytes):
                    code.program_counter = pc
                    _grow_memory(computation, memory, meter, start + 32)
                push(int.from_bytes(memory._bytes[start : start + 32], "big"))
            continue
        if op == 0x56 or op == 0x57:  # JUMP, JUMPI
            if op == 0x56:
                if not depth:
                    raise InsufficientStack("Wanted 1 stack item, had none")
                dest = _int(pop())
            else:
                if depth < 2:
                    raise InsufficientStack(f"Wanted 2 stack items, only had {depth}")
                dest = _int(pop())
                if not _int(pop()):
                    continue
            valid = jumps.get(dest)
            if valid is None:
                if dest >= size or raw[dest] != JUMPDEST:
                    code.program_counter = dest
                    raise InvalidJumpDestination("Invalid Jump Destination")
                valid = jumps[dest] = bool(code.is_valid_opcode(dest))
            if not valid:
                code.program_counter = dest
                raise InvalidInstruction("Jump resulted in invalid instruction")
            pc = dest
            continue
        if op == 0x5B:  # JUMPDEST
            continue
        if op == 0x50:  # POP
            if not depth:
                raise InsufficientStack("Wanted 1 stack item, had none")
            pop()
            continue
        if op < 0x20:
            if op == 0x15 or op == 0x19:  # ISZERO, NOT
                if not depth:
                    raise InsufficientStack("Wanted 1 stack item, had none")
                if op == 0x15:
                    push(0 if _int(pop()) else 1)
                else:
                    push(UINT256 ^ _int(pop()))
                continue
            if depth < 2:
                raise InsufficientStack(f"Wanted 2 stack items, only had {depth}")
            a = pop()
            if type(a) is not int:
                a = int.from_bytes(a, "big")
            b = pop()
            if type(b) is not int:
                b = int.from_bytes(b, "big")
            if op == 0x01:
                push((a + b) & UINT256)
            elif op == 0x14:
                push(1 if a == b else 0)
            elif op == 0x16:
                push(a & b)
            elif op == 0x10:
                push(1 if a < b else 0)
            elif op == 0x03:
                push((a - b) & UINT256)
            elif op == 0x1B:  # SHL: shift, value
                push((b << a) & UINT256 if a < 256 else 0)
            elif op == 0x1C:  # SHR: shift, value
                push(b >> a if a < 256 else 0)
            elif op == 0x0B:  # SIGNEXTEND: byte index, value
                if a <= 31:
                    sign_bit = 1 << (a * 8 + 7)
                    push(b | (CEILING - sign_bit) if b & sign_bit else b & (sign_bit - 1))
                else:
                    push(b)
            elif op == 0x11:
                push(1 if a > b else 0)
            elif op == 0x12 or op == 0x13:  # SLT, SGT
                if a > UINT255:
                    a -= CEILING
                if b > UINT255:
                    b -= CEILING
                push((1 if a < b else 0) if op == 0x12 else (1 if a > b else 0))
            elif op == 0x17:
                push(a | b)
            elif op == 0x18:
                push(a ^ b)
            elif op == 0x02:
                push((a * b) & UINT256)
            elif op == 0x04:
                push(a // b if b else 0)
            elif op == 0x06:
                push(a % b if b else 0)
            elif op == 0x05:  # SDIV
                if a > UINT255:
                    a -= CEILING
                if b > UINT255:
                    b -= CEILING
                if b == 0:
                    push(0)
                else:
                    q = abs(a) // abs(b)
                    if a * b < 0:
                        q = -q
                    push(q + CEILING if q < 0 else q)
            elif op == 0x1D:  # SAR: shift, value
                if b > UINT255:
                    b -= CEILING
                if a >= 256:
                    push(0 if b >= 0 else UINT256)
                else:
                    push((b >> a) & UINT256)
            else:  # 0x1A BYTE: position, value
                push((b >> (8 * (31 - a))) & 0xFF if a < 32 else 0)
            continue
        if op == 0x35:  # CALLDATALOAD
            if not depth:
                raise InsufficientStack("Wanted 1 stack item, had none")
            start = _int(pop())
            push(int.from_bytes(calldata[start : start + 32].ljust(32, b"\x00"), "big"))
            continue
        # Environment reads: one push each.
        if depth >= STACK_LIMIT:
            raise FullStack("Stack limit reached")
        if op == 0x36:
            push(len(calldata))
        elif op == 0x3D:
            push(len(computation.return_data))
        elif op == 0x5A:
            push(meter.gas_remaining)
        elif op == 0x33:
            push(msg.sender)
        elif op == 0x34:
            push(msg.value)
        elif op == 0x38:
            push(size)
        else:  # 0x30 ADDRESS
            push(msg.storage_address)


class FastInterpreterMixin:
    """``apply_computation`` with :func:`run_code` as the dispatch loop."""

    _inline_costs: CostTable = tuple(INLINE_OPS[op][1] if op in INLINE_OPS else None for op in range(256))

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
            run_code(computation, cls._inline_costs)
        return computation
