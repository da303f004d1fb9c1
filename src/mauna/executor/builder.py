"""Stateless L2 block building: execute payload attributes on a parent header, seal the block.

The role of kona-executor's ``StatelessL2Builder``. State is read lazily, by hash, through a
:class:`~mauna.mpt.TrieProvider`; nothing else is needed but the parent header and the payload
attributes. Spec sections applied here (the per-transaction rules live in
:mod:`mauna.executor.evm`):

- protocol/exec-engine.md "1559 Parameters" and protocol/holocene/exec-engine.md "Base Fee
  Computation" / "EIP-1559 Parameters in Block Header" (``extraData``), Jovian's minimum base fee
  and DA footprint (protocol/jovian/exec-engine.md);
- Canyon's Create2Deployer force-deployment (protocol/canyon/overview.md), the empty withdrawals
  root from Canyon;
- Ecotone's EIP-4788 beacon-root system call (exec-engine.md "Ecotone: Beacon Block Root");
- Isthmus' EIP-2935 block-hash system call, ``withdrawalsRoot`` = L2ToL1MessagePasser storage
  root and ``requestsHash`` = sha256("") (protocol/isthmus/exec-engine.md).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eth.vm.execution_context import ExecutionContext
from eth_typing import Address, BlockNumber, Hash32
from eth_utils import ValidationError
from trie.exceptions import MissingTrieNode

from mauna.errors import ExecutionError, MaunaError, MissingPreimageError
from mauna.executor.attributes import OpPayloadAttributes
from mauna.executor.chain import ChainRules, OpFork
from mauna.executor.constants import (
    BEACON_ROOTS_ADDRESS,
    CREATE2_DEPLOYER_ADDRESS,
    CREATE2_DEPLOYER_CODE,
    HISTORY_STORAGE_ADDRESS,
    L2_TO_L1_MESSAGE_PASSER,
)
from mauna.executor.evm import FORK_SPECS, OpForkSpec, TxOutcome, accelerated_spec
from mauna.executor.precompiles import PrecompileAccelerator
from mauna.executor.receipts import OpReceipt, block_bloom, logs_bloom
from mauna.executor.transactions import DepositTransaction, InvalidTransactionError, decode_transaction
from mauna.mpt.db import provider_atomic_db
from mauna.mpt.ordered import ordered_trie_root
from mauna.mpt.provider import NoopTrieHinter, TrieHinter, TrieProvider
from mauna.primitives.bytes import keccak256, to_hex
from mauna.primitives.header import EMPTY_OMMERS_HASH, EMPTY_REQUESTS_HASH, EMPTY_ROOT_HASH, Header
from mauna.primitives.receipt import Log
from mauna.protocol.deposits import DEPOSIT_TX_TYPE
from mauna.protocol.fees import da_footprint
from mauna.protocol.output_root import OutputRootV0

MAX_ANCESTOR_DEPTH = 256
DEPOSIT_RECEIPT_VERSION = 1


class HeaderMismatchError(ExecutionError):
    """A built block differs from the expected one; the message names every differing field."""


class MessagePasserUnavailableError(MissingPreimageError):
    """The witness lacks the L2ToL1MessagePasser's account path, so no output root can be made.

    Only possible before Isthmus (from Isthmus the header commits to that storage root, so the
    witness must hold it). ``missing_node`` is the first trie node on the path that is absent.
    """

    def __init__(self, block_number: int, missing_node: bytes) -> None:
        super().__init__(
            f"block {block_number}: output root unavailable, the witness lacks the L2ToL1MessagePasser "
            f"account (trie node {to_hex(missing_node)} not available)"
        )
        self.block_number = block_number
        self.missing_node = missing_node


# --- EIP-1559 ----------------------------------------------------------------------------------
def decode_eip1559_extra_data(extra_data: bytes, *, jovian: bool) -> tuple[int, int, int | None]:
    """``(denominator, elasticity, min_base_fee)`` from a Holocene (v0) or Jovian (v1) ``extraData``."""
    if jovian:
        if len(extra_data) != 17 or extra_data[0] != 1:
            raise ExecutionError(f"parent extraData {to_hex(extra_data)} is not Jovian (version 1, 17 bytes)")
    elif len(extra_data) != 9 or extra_data[0] != 0:
        raise ExecutionError(f"parent extraData {to_hex(extra_data)} is not Holocene (version 0, 9 bytes)")
    denominator = int.from_bytes(extra_data[1:5], "big")
    elasticity = int.from_bytes(extra_data[5:9], "big")
    if denominator == 0:
        raise ExecutionError(f"parent extraData {to_hex(extra_data)} has a zero EIP-1559 denominator")
    min_base_fee = int.from_bytes(extra_data[9:17], "big") if jovian else None
    return denominator, elasticity, min_base_fee


def next_base_fee(rules: ChainRules, parent: Header, timestamp: int) -> int:
    """Base fee of the child of ``parent`` at ``timestamp`` (EIP-1559 with the OP parameters)."""
    if parent.base_fee_per_gas is None:
        raise ExecutionError(f"parent block {parent.number} has no base fee (pre-London)")
    min_base_fee: int | None = None
    gas_used = parent.gas_used
    if rules.is_active(OpFork.HOLOCENE, parent.timestamp):
        jovian = rules.is_active(OpFork.JOVIAN, parent.timestamp)
        denominator, elasticity, min_base_fee = decode_eip1559_extra_data(parent.extra_data, jovian=jovian)
        if jovian:
            gas_used = max(gas_used, parent.blob_gas_used or 0)
    else:
        denominator, elasticity = rules.base_fee_params(timestamp)
    if elasticity == 0:
        raise ExecutionError("EIP-1559 elasticity is zero")
    parent_base_fee = parent.base_fee_per_gas
    target = parent.gas_limit // elasticity
    if gas_used == target:
        base_fee = parent_base_fee
    elif gas_used > target:
        base_fee = parent_base_fee + max(parent_base_fee * (gas_used - target) // target // denominator, 1)
    else:
        base_fee = max(parent_base_fee - parent_base_fee * (target - gas_used) // target // denominator, 0)
    if min_base_fee is not None:
        base_fee = max(base_fee, min_base_fee)
    return base_fee


def encode_extra_data(rules: ChainRules, attributes: OpPayloadAttributes, timestamp: int) -> bytes:
    """Holocene ``0 ‖ denominator ‖ elasticity``; Jovian adds ``‖ minBaseFee`` with version 1."""
    if not rules.is_active(OpFork.HOLOCENE, timestamp):
        return b""
    params = attributes.eip1559_params
    if params is None:
        raise ExecutionError("Holocene payload attributes lack eip1559Params")
    denominator = int.from_bytes(params[0:4], "big")
    elasticity = int.from_bytes(params[4:8], "big")
    if denominator == 0 and elasticity == 0:
        denominator, elasticity = rules.base_fee_params(timestamp)
    elif denominator == 0:
        raise ExecutionError(f"eip1559Params {to_hex(params)} has a zero denominator")
    body = denominator.to_bytes(4, "big") + elasticity.to_bytes(4, "big")
    if rules.is_active(OpFork.JOVIAN, timestamp):
        if attributes.min_base_fee is None:
            raise ExecutionError("Jovian payload attributes lack minBaseFee")
        return b"\x01" + body + attributes.min_base_fee.to_bytes(8, "big")
    return b"\x00" + body


# --- results -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BlockBuildResult:
    """A sealed block: header, receipts and the roots an output root commits to."""

    header: Header
    receipts: tuple[OpReceipt, ...]
    message_passer_storage_root: bytes | None
    seconds: float
    message_passer_missing_node: bytes | None = None

    @property
    def block_hash(self) -> bytes:
        return self.header.hash()

    @property
    def state_root(self) -> bytes:
        return self.header.state_root

    @property
    def output_root_available(self) -> bool:
        return self.message_passer_storage_root is not None

    @property
    def output_root(self) -> bytes | None:
        """The v0 output root (protocol/proposals.md "L2 Output Commitment Construction").

        ``None`` when the witness lacks the message passer's account: see
        :meth:`require_output_root` for the error that names the missing node.
        """
        if self.message_passer_storage_root is None:
            return None
        return OutputRootV0(self.header.state_root, self.message_passer_storage_root, self.block_hash).hash()

    def require_output_root(self) -> bytes:
        """The v0 output root; :class:`MessagePasserUnavailableError` when it cannot be computed."""
        root = self.output_root
        if root is None:
            raise MessagePasserUnavailableError(self.header.number, self.message_passer_missing_node or b"")
        return root


_HEADER_FIELDS = (
    "parent_hash",
    "ommers_hash",
    "beneficiary",
    "state_root",
    "transactions_root",
    "receipts_root",
    "logs_bloom",
    "difficulty",
    "number",
    "gas_limit",
    "gas_used",
    "timestamp",
    "extra_data",
    "mix_hash",
    "nonce",
    "base_fee_per_gas",
    "withdrawals_root",
    "blob_gas_used",
    "excess_blob_gas",
    "parent_beacon_block_root",
    "requests_hash",
)


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return to_hex(value)
    return str(value)


def header_differences(expected: Header, built: Header) -> list[str]:
    """``"field: expected X, computed Y"`` for every header field that differs."""
    out = []
    for name in _HEADER_FIELDS:
        a, b = getattr(expected, name), getattr(built, name)
        if a != b:
            out.append(f"{name.replace('_', ' ')}: expected {_show(a)}, computed {_show(b)}")
    return out


def check_header(expected: Header, built: Header) -> None:
    """Raise :class:`HeaderMismatchError` naming each differing field with both values."""
    diffs = header_differences(expected, built)
    if diffs:
        raise HeaderMismatchError(
            f"block {built.number} differs from the expected header: " + "; ".join(diffs)
        )


# --- builder -----------------------------------------------------------------------------------
def _ancestor_hashes(provider: TrieProvider, parent: Header) -> Iterator[Hash32]:
    """Hashes of the parent, grandparent, … (for BLOCKHASH), fetching headers only as needed."""
    yield Hash32(parent.hash())
    header = parent
    for _ in range(MAX_ANCESTOR_DEPTH - 1):
        if header.number == 0:
            return
        yield Hash32(header.parent_hash)
        header = provider.header_by_hash(header.parent_hash)


class StatelessL2Builder:
    """Builds L2 blocks on top of ``parent_header`` reading state only through ``provider``.

    ``precompiles``, when given, runs the expensive precompiles instead of this process (see
    :class:`~mauna.executor.precompiles.PrecompileAccelerator`; the fault-proof client's asks the host).
    """

    pause_gc: bool = True

    def __init__(
        self,
        rollup_config: Any,
        provider: TrieProvider,
        hinter: TrieHinter | None,
        parent_header: Header,
        *,
        precompiles: PrecompileAccelerator | None = None,
    ) -> None:
        self.rules = ChainRules.from_config(rollup_config)
        self.provider = provider
        self.hinter: TrieHinter = hinter if hinter is not None else NoopTrieHinter()
        self.parent_header = parent_header
        self.missing_message_passer_node: bytes | None = None
        self.precompiles = precompiles
        self._specs: dict[OpFork, OpForkSpec] = {}

    def _spec(self, fork: OpFork) -> OpForkSpec:
        if self.precompiles is None:
            return FORK_SPECS[fork]
        spec = self._specs.get(fork)
        if spec is None:
            spec = self._specs[fork] = accelerated_spec(fork, self.precompiles)
        return spec

    def build_block(self, attributes: OpPayloadAttributes) -> BlockBuildResult:
        """Execute ``attributes`` on the parent and seal the block.

        With :attr:`pause_gc` the cyclic garbage collector is paused for the duration (and
        restored afterwards): py-evm allocates many short-lived containers per call frame, and
        the collector's passes over them and over the witness cost 10–15 % of a large block. The
        few reference cycles a block leaves are collected once it is done.
        """
        if not (self.pause_gc and gc.isenabled()):
            return self._build_block(attributes)
        gc.disable()
        try:
            return self._build_block(attributes)
        finally:
            gc.enable()

    def _build_block(self, attributes: OpPayloadAttributes) -> BlockBuildResult:
        started = time.perf_counter()
        rules = self.rules
        parent = self.parent_header
        ts = attributes.timestamp
        if ts <= parent.timestamp:
            raise ExecutionError(f"payload timestamp {ts} is not after the parent's {parent.timestamp}")
        if attributes.gas_limit is None:
            raise ExecutionError("payload attributes lack gasLimit")
        fork = rules.fork_at(ts)
        number = parent.number + 1
        spec = self._spec(fork)
        ecotone = fork >= OpFork.ECOTONE
        if ecotone and attributes.parent_beacon_block_root is None:
            raise ExecutionError("Ecotone payload attributes lack parentBeaconBlockRoot")
        self.hinter.hint_execution_witness(parent.hash(), attributes)
        self.missing_message_passer_node = None

        base_fee = next_base_fee(rules, parent, ts)
        extra_data = encode_extra_data(rules, attributes, ts)
        context = ExecutionContext(
            coinbase=Address(attributes.suggested_fee_recipient),
            timestamp=ts,
            block_number=BlockNumber(number),
            difficulty=0,
            mix_hash=Hash32(attributes.prev_randao),
            gas_limit=attributes.gas_limit,
            prev_hashes=_ancestor_hashes(self.provider, parent),
            chain_id=rules.chain_id,
            base_fee_per_gas=base_fee,
            excess_blob_gas=0 if ecotone else None,
        )
        db, _store = provider_atomic_db(self.provider, self.hinter)
        try:
            state = spec.state_class(db, context, parent.state_root)
            state._account_db.hint_block_number = parent.number
            receipts, gas_used, da_used = self._execute(state, spec, fork, attributes, parent)
            state_root = bytes(state.make_state_root())
            message_passer_root = self._message_passer_root(state, required=fork >= OpFork.ISTHMUS)
        except ValidationError as exc:
            raise ExecutionError(f"block {number}: {exc}") from exc
        except MissingTrieNode as exc:
            raise MissingPreimageError(
                f"trie node {to_hex(bytes(exc.missing_node_hash))} not available"
            ) from exc

        receipts_root = ordered_trie_root(
            [
                r.encode(include_deposit_nonce=fork >= OpFork.CANYON or fork < OpFork.REGOLITH)
                for r in receipts
            ]
        )
        withdrawals_root: bytes | None = None
        if fork >= OpFork.ISTHMUS:
            assert message_passer_root is not None
            withdrawals_root = message_passer_root
        elif fork >= OpFork.CANYON:
            withdrawals_root = EMPTY_ROOT_HASH
        header = Header(
            parent_hash=parent.hash(),
            ommers_hash=EMPTY_OMMERS_HASH,
            beneficiary=attributes.suggested_fee_recipient,
            state_root=state_root,
            transactions_root=ordered_trie_root(attributes.transactions),
            receipts_root=receipts_root,
            logs_bloom=block_bloom(receipts),
            difficulty=0,
            number=number,
            gas_limit=attributes.gas_limit,
            gas_used=gas_used,
            timestamp=ts,
            extra_data=extra_data,
            mix_hash=attributes.prev_randao,
            nonce=b"\x00" * 8,
            base_fee_per_gas=base_fee,
            withdrawals_root=withdrawals_root,
            blob_gas_used=(da_used if fork >= OpFork.JOVIAN else 0) if ecotone else None,
            excess_blob_gas=0 if ecotone else None,
            parent_beacon_block_root=attributes.parent_beacon_block_root if ecotone else None,
            requests_hash=EMPTY_REQUESTS_HASH if fork >= OpFork.ISTHMUS else None,
        )
        seconds = time.perf_counter() - started
        return BlockBuildResult(
            header, tuple(receipts), message_passer_root, seconds, self.missing_message_passer_node
        )

    def _message_passer_root(self, state: Any, *, required: bool) -> bytes | None:
        """Storage root of the L2ToL1MessagePasser in the post-state.

        From Isthmus the header commits to it, so the witness always holds its path. Before, a
        block that does not touch the message passer may come with a witness that lacks it; the
        output root is then unknown (``None``) rather than an error.
        """
        try:
            return bytes(state._account_db.storage_root(L2_TO_L1_MESSAGE_PASSER))
        except MissingTrieNode as exc:
            if required:
                raise
            self.missing_message_passer_node = bytes(exc.missing_node_hash)
            return None

    # -- execution -----------------------------------------------------------------------------
    def _execute(
        self, state: Any, spec: Any, fork: OpFork, attributes: OpPayloadAttributes, parent: Header
    ) -> tuple[list[OpReceipt], int, int]:
        rules = self.rules
        ts = attributes.timestamp
        # Pre-block changes, before any transaction.
        if rules.is_first_block(OpFork.CANYON, ts, parent.timestamp):
            state.set_code(CREATE2_DEPLOYER_ADDRESS, CREATE2_DEPLOYER_CODE)
        if fork >= OpFork.ECOTONE:
            assert attributes.parent_beacon_block_root is not None
            state.system_call(BEACON_ROOTS_ADDRESS, attributes.parent_beacon_block_root)
        if fork >= OpFork.ISTHMUS:
            state.system_call(HISTORY_STORAGE_ADDRESS, parent.hash())
        state.reset_fee_params()

        builder = spec.vm_class.get_transaction_builder()
        shanghai = fork >= OpFork.CANYON
        gas_limit = attributes.gas_limit
        assert gas_limit is not None
        cumulative = 0
        da_used = 0
        receipts: list[OpReceipt] = []
        for index, raw in enumerate(attributes.transactions):
            tx = decode_transaction(
                raw, index, builder, shanghai=shanghai, allow_set_code=fork >= OpFork.ISTHMUS
            )
            is_deposit = isinstance(tx, DepositTransaction)
            counts_gas = not (is_deposit and tx.is_system_tx and fork < OpFork.REGOLITH)
            if counts_gas and tx.gas > gas_limit - cumulative:
                raise InvalidTransactionError(
                    f"transaction {index} ({to_hex(keccak256(raw))}): gas {tx.gas} exceeds the block's "
                    f"remaining {gas_limit - cumulative}"
                )
            if fork >= OpFork.JOVIAN and not is_deposit:
                da_used += da_footprint(raw, state.da_footprint_gas_scalar())
            state.lock_changes()
            executor = state.get_transaction_executor()
            executor.raw_tx = raw
            try:
                executor(tx)
            except ValidationError as exc:
                raise InvalidTransactionError(
                    f"transaction {index} ({to_hex(keccak256(raw))}): {exc}"
                ) from exc
            except MaunaError:
                raise
            outcome: TxOutcome | None = executor.outcome
            if outcome is None:
                raise ExecutionError(f"transaction {index}: executor produced no outcome")
            cumulative += outcome.gas_used
            logs = tuple(
                Log(
                    address=bytes(address),
                    topics=tuple(t.to_bytes(32, "big") for t in topics),
                    data=bytes(data),
                )
                for address, topics, data in outcome.logs
            )
            receipts.append(
                OpReceipt(
                    tx_type=raw[0] if raw[0] < 0x80 else 0,
                    success=outcome.success,
                    cumulative_gas_used=cumulative,
                    logs=logs,
                    logs_bloom=logs_bloom(logs),
                    deposit_nonce=outcome.deposit_nonce if is_deposit else None,
                    deposit_receipt_version=(
                        DEPOSIT_RECEIPT_VERSION if is_deposit and fork >= OpFork.CANYON else None
                    ),
                )
            )
            if is_deposit:
                # The L1 fee parameters are read after the block's deposits (op-geth NewL1CostFunc).
                state.reset_fee_params()
        if fork >= OpFork.JOVIAN and da_used > gas_limit:
            raise ExecutionError(f"DA footprint {da_used} exceeds the block gas limit {gas_limit}")
        return receipts, cumulative, da_used


def deposit_only(attributes: OpPayloadAttributes) -> OpPayloadAttributes:
    """The same attributes with only the deposits (Holocene's fallback for an invalid payload)."""
    from dataclasses import replace

    return replace(
        attributes,
        transactions=tuple(tx for tx in attributes.transactions if tx[:1] == bytes([DEPOSIT_TX_TYPE])),
    )
