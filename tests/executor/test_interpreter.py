"""The inline dispatch loop against py-evm's own: same output, gas and errors, op by op."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from eth.constants import BLANK_ROOT_HASH
from eth.db.atomic import AtomicDB
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.london.computation import LondonComputation
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.message import Message
from eth.vm.transaction_context import BaseTransactionContext

from mauna.executor.chain import OpFork
from mauna.executor.evm import FORK_SPECS

CALLER = bytes.fromhex("00000000000000000000000000000000000000ca")
TARGET = bytes.fromhex("00000000000000000000000000000000000000de")
U256 = 2**256
EDGE = [0, 1, 2, 7, 31, 32, 255, 256, 2**255 - 1, 2**255, 2**255 + 1, U256 - 2, U256 - 1]
BINARY = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0B, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17]
BINARY += [0x18, 0x1A, 0x1B, 0x1C, 0x1D]


def _push(value: int) -> bytes:
    return b"\x7f" + value.to_bytes(32, "big")


RETURN_TOP = bytes.fromhex("60005260206000f3")  # MSTORE(0, top); RETURN(0, 32)


def _run(fork: OpFork, base: Any, code: bytes, data: bytes = b"", gas: int = 100_000) -> tuple[Any, ...]:
    spec = FORK_SPECS[fork]
    context = ExecutionContext(
        coinbase=b"\x00" * 20,
        timestamp=1,
        block_number=1,
        difficulty=0,
        mix_hash=b"\x00" * 32,
        gas_limit=30_000_000,
        prev_hashes=(),
        chain_id=10,
        base_fee_per_gas=1,
        excess_blob_gas=0 if fork >= OpFork.ECOTONE else None,
    )
    results = []
    for cls in (spec.state_class.computation_class, base):
        state = spec.state_class(AtomicDB(), context, BLANK_ROOT_HASH)
        message = Message(gas=gas, to=TARGET, sender=CALLER, value=3, data=data, code=code)
        computation = cls.apply_computation(state, message, BaseTransactionContext(1, CALLER))
        error = type(computation.error).__name__ if computation.is_error else None
        results.append((error, computation.output, computation.get_gas_remaining()))
    assert results[0] == results[1], code.hex()
    return tuple(results[0])


def test_binary_ops_match_py_evm() -> None:
    for op, a, b in itertools.product(BINARY, EDGE, EDGE):
        _run(OpFork.ISTHMUS, PragueComputation, _push(b) + _push(a) + bytes([op]) + RETURN_TOP)


def test_unary_and_environment_ops_match_py_evm() -> None:
    for value in EDGE:
        for op in (0x15, 0x19):
            _run(OpFork.ISTHMUS, PragueComputation, _push(value) + bytes([op]) + RETURN_TOP)
    for op in (0x30, 0x33, 0x34, 0x36, 0x38, 0x3D, 0x5A, 0x5F):
        _run(OpFork.ISTHMUS, PragueComputation, bytes([op]) + RETURN_TOP, data=b"\x01\x02\x03")


@pytest.mark.parametrize("offset", [0, 1, 31, 32, 33, 64, 1000, 2**20, 2**64, U256 - 1])
def test_memory_and_calldata_match_py_evm(offset: int) -> None:
    data = bytes(range(1, 70))
    mstore = _push(0xDEADBEEF) + _push(offset) + b"\x52"
    mload = _push(offset) + b"\x51" + RETURN_TOP
    calldataload = _push(offset) + b"\x35" + RETURN_TOP
    for code in (mstore + mload, mload, calldataload, mstore + _push(0) + b"\x51" + RETURN_TOP):
        _run(OpFork.ISTHMUS, PragueComputation, code, data=data)
        _run(OpFork.ISTHMUS, PragueComputation, code, data=data, gas=120)  # out of gas on growth


def test_jumps_stack_errors_and_forks_match_py_evm() -> None:
    programs = [
        bytes.fromhex("600456005b60016000f3"),  # JUMP to a JUMPDEST
        bytes.fromhex("6003565b"),  # JUMP to a non-JUMPDEST
        bytes.fromhex("600456615b00"),  # JUMP into PUSH2 data that holds 0x5b
        bytes.fromhex("60016006576000005b00"),  # JUMPI taken
        bytes.fromhex("6000600657005b00"),  # JUMPI not taken
        bytes.fromhex("61ffff56"),  # JUMP past the end
        b"\x01",  # ADD on an empty stack
        b"\x50",  # POP on an empty stack
        b"\x52",  # MSTORE on an empty stack
        b"\x35",  # CALLDATALOAD on an empty stack
        b"\x90",  # SWAP1 on an empty stack
        b"\x80",  # DUP1 on an empty stack
        b"\x5f" * 1025,  # stack overflow
        b"\x61\x01",  # truncated PUSH2
        bytes.fromhex("5b") * 10 + b"\x00",
    ]
    for code in programs:
        _run(OpFork.ISTHMUS, PragueComputation, code)
        _run(OpFork.ISTHMUS, PragueComputation, code, gas=9)
    # PUSH0 is not an opcode before Shanghai (Canyon).
    assert _run(OpFork.REGOLITH, LondonComputation, b"\x5f")[0] == "InvalidInstruction"
