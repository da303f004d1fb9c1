"""Isthmus and Jovian activation on the real OP contracts, end to end.

A chain starts with every fork through Holocene at genesis and the contracts-bedrock 0.17.3
predeploys behind real ``Proxy`` contracts (the layout of an OP Stack genesis); Isthmus activates
at L2 block 2 and Jovian at block 4. Each block's attributes come from the derivation's attributes
builder (L1-info deposit in the format of the fork, the network-upgrade deposits on the activation
blocks) and are executed by the stateless builder. The upgrade deposits deploy the real Isthmus and
Jovian L1Block, GasPriceOracle, OperatorFeeVault and EIP-2935 bytecode, so the contracts themselves
check our encodings and fee rules: the L1-info calldata of each format must be accepted by the
L1Block of that fork; the GasPriceOracle's ``getOperatorFee`` / ``getL1Fee`` must agree with what the
executor charged; the history contract must answer the hashes the executor stored.

Spec: protocol/isthmus/{derivation,exec-engine}.md, protocol/jovian/{derivation,exec-engine,
l1-attributes}.md, protocol/fjord/exec-engine.md "Fjord L1-Cost fee changes".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from eth.vm.execution_context import ExecutionContext
from eth.vm.message import Message
from eth_typing import Address, BlockNumber, Hash32

from mauna.derive.attributes_builder import StatefulAttributesBuilder
from mauna.derive.l2_block import l2_block_info_from_block, system_config_from_block
from mauna.derive.providers import L2Block
from mauna.derive.testing import (
    L1_CHAIN_ID,
    L2_USER_KEY,
    OTHER_KEY,
    SYSTEM_CONFIG_ADDRESS,
    Scenario,
    address_of,
    deposit_receipt,
    dynamic_fee_tx,
)
from mauna.executor.builder import BlockBuildResult
from mauna.executor.chain import OpFork
from mauna.executor.constants import (
    BASE_FEE_VAULT,
    HISTORY_STORAGE_ADDRESS,
    L1_FEE_VAULT,
    OPERATOR_FEE_VAULT,
    SEQUENCER_FEE_VAULT,
)
from mauna.executor.constants import (
    L2_TO_L1_MESSAGE_PASSER as MESSAGE_PASSER,
)
from mauna.executor.evm import FORK_SPECS
from mauna.mpt.db import provider_atomic_db
from mauna.primitives.block import BlockID
from mauna.primitives.bytes import HASH_ZERO, keccak256
from mauna.primitives.header import EMPTY_REQUESTS_HASH, EMPTY_ROOT_HASH, Header
from mauna.proof.executor import NodeKeepingBuilder
from mauna.proof.scenario import (
    DictTrieState,
    genesis_state,
    implementation_address,
    initiate_withdrawal_calldata,
    l2_genesis_header,
    proxied_genesis_alloc,
    start_l2_chain,
)
from mauna.protocol.deposits import DEPOSIT_TX_TYPE
from mauna.protocol.fastlz import flz_compress_len
from mauna.protocol.fees import da_footprint, l1_cost_fjord, l1_cost_fjord_from_size, operator_fee
from mauna.protocol.l1_info import decode_l1_info_tx
from mauna.protocol.system_config_logs import (
    DaFootprintGasScalarUpdate,
    MinBaseFeeUpdate,
    OperatorFeeUpdate,
    encode_config_update_log,
)
from mauna.protocol.upgrades import isthmus, jovian
from mauna.protocol.upgrades.common import GAS_PRICE_ORACLE_PROXY as GAS_PRICE_ORACLE
from mauna.protocol.upgrades.common import L1_BLOCK_PROXY as L1_BLOCK

PREDEPLOY_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "proof" / "predeploys"
OPERATOR_FEE_SCALAR = 2_000
OPERATOR_FEE_CONSTANT = 3_000_000_000
MIN_BASE_FEE = 5_000_000
DA_FOOTPRINT_GAS_SCALAR = 600
GENESIS_BASE_FEE = 1_000_000
ISTHMUS_BLOCK = 2
JOVIAN_BLOCK = 4
BLOCKS = 6
USER_BALANCE = 100 * 10**18
PAYLOADS = [
    b"",
    bytes(range(256)) * 3,
    b"\x00" * 1000,
    keccak256(b"one") * 40,
    b"mauna" * 200,
]


def predeploy(number: int) -> bytes:
    return bytes.fromhex("42" + "00" * 18) + bytes([number])


def implementation(number: int) -> bytes:
    return implementation_address(predeploy(number))


def selector(signature: str) -> bytes:
    return keccak256(signature.encode())[:4]


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


@dataclass
class Chain:
    headers: list[Header]
    results: list[BlockBuildResult | None]
    transactions: list[tuple[bytes, ...]]
    state: DictTrieState
    rollup_config: Any

    def post_state(self, block: int) -> Any:
        """A py-evm state over the post-state of ``block``, in the context of its child."""
        header = self.headers[block]
        rules = FORK_SPECS[OpFork.JOVIAN if block + 1 >= JOVIAN_BLOCK else OpFork.ISTHMUS]
        context = ExecutionContext(
            coinbase=Address(b"\x00" * 20),
            timestamp=header.timestamp + 2,
            block_number=BlockNumber(block + 1),
            difficulty=0,
            mix_hash=Hash32(HASH_ZERO),
            gas_limit=header.gas_limit,
            prev_hashes=(),
            chain_id=self.rollup_config.l2_chain_id,
            base_fee_per_gas=0,
            excess_blob_gas=0,
        )
        db, _ = provider_atomic_db(self.state)
        return rules.state_class(db, context, header.state_root)

    def call(self, block: int, to: bytes, data: bytes, sender: bytes = b"\x00" * 19 + b"\x01") -> bytes:
        """A read-only call against the post-state of ``block``."""
        state = self.post_state(block)
        message = Message(
            gas=10_000_000,
            to=Address(to),
            sender=Address(sender),
            value=0,
            data=data,
            code=state.get_code(Address(to)),
        )
        tx_context = state.get_transaction_context_class()(gas_price=0, origin=Address(sender))
        computation = state.computation_class.apply_message(state, message, tx_context)
        assert computation.is_success, f"call to 0x{to.hex()} failed: {computation.error}"
        return bytes(computation.output)

    def uint(self, block: int, to: bytes, signature: str, *args: bytes) -> int:
        return int.from_bytes(self.call(block, to, selector(signature) + b"".join(args)), "big")

    def balance(self, block: int, address: bytes) -> int:
        return int(self.post_state(block).get_balance(Address(address)))

    def result(self, block: int) -> BlockBuildResult:
        result = self.results[block]
        assert result is not None
        return result

    def user_txs(self, block: int) -> list[tuple[bytes, int]]:
        """``(raw, gas used)`` of the block's non-deposit transactions."""
        receipts = self.result(block).receipts
        out = []
        previous = 0
        for raw, receipt in zip(self.transactions[block], receipts, strict=True):
            used = receipt.cumulative_gas_used - previous
            previous = receipt.cumulative_gas_used
            if raw[0] != DEPOSIT_TX_TYPE:
                out.append((raw, used))
        return out


def build_chain() -> Chain:
    return asyncio.run(_build_chain())


async def _build_chain() -> Chain:
    base = Scenario.create()
    genesis_time = base.config.genesis.l2_time
    # SystemConfig updates on L1, each in the first epoch after the fork that can carry it (an
    # L2 block before the fork has no place to keep it: the L2 block is the config's record).
    update_tx = dynamic_fee_tx(OTHER_KEY, L1_CHAIN_ID, 0, SYSTEM_CONFIG_ADDRESS, b"")
    epochs = [base.l1_block(0)]
    for number, updates in (
        (3, [OperatorFeeUpdate(OPERATOR_FEE_SCALAR, OPERATOR_FEE_CONSTANT)]),
        (5, [MinBaseFeeUpdate(MIN_BASE_FEE), DaFootprintGasScalarUpdate(DA_FOOTPRINT_GAS_SCALAR)]),
    ):
        logs = [encode_config_update_log(u, SYSTEM_CONFIG_ADDRESS) for u in updates]
        epochs.append(
            base.add_l1_block([update_tx], [deposit_receipt(logs)], timestamp=genesis_time + 2 * number)
        )
    code, storage = proxied_genesis_alloc(PREDEPLOY_DIR)
    user = address_of(L2_USER_KEY)
    state_root, nodes = genesis_state(code, {user: USER_BALANCE}, storage)
    cfg0 = base.config
    genesis = l2_genesis_header(cfg0, state_root, GENESIS_BASE_FEE)
    cfg = replace(
        cfg0,
        genesis=replace(cfg0.genesis, l2=BlockID(genesis.hash(), 0)),
        isthmus_time=genesis_time + 2 * ISTHMUS_BLOCK,
        jovian_time=genesis_time + 2 * JOVIAN_BLOCK,
    )
    state, l2, parent = start_l2_chain(cfg, genesis, nodes)
    builder = StatefulAttributesBuilder(cfg, base.l1, l2)
    withdrawal = initiate_withdrawal_calldata(user, 100_000, b"mana")
    nonce = 0

    def user_tx(to: bytes, data: bytes, gas: int) -> bytes:
        nonlocal nonce
        nonce += 1
        return dynamic_fee_tx(L2_USER_KEY, cfg.l2_chain_id, nonce - 1, to, data, gas=gas)

    headers = [genesis]
    results: list[BlockBuildResult | None] = [None]
    transactions: list[tuple[bytes, ...]] = [()]
    for number in range(1, BLOCKS + 1):
        epoch = epochs[0] if number < 3 else epochs[1] if number < 5 else epochs[2]
        attrs = await builder.prepare_payload_attributes(parent, BlockID(epoch.hash, epoch.header.number))
        # The Jovian activation block carries no sequenced transactions (jovian/derivation.md).
        extra = (
            []
            if number == JOVIAN_BLOCK
            else [user_tx(b"\x42" * 20, PAYLOADS[number % len(PAYLOADS)], 200_000)]
        )
        if number == 3:
            extra.append(user_tx(MESSAGE_PASSER, withdrawal, 200_000))
        attrs = replace(attrs, transactions=(*attrs.transactions, *extra))
        built, written = NodeKeepingBuilder(cfg, state, None, headers[-1]).build(attrs)
        nodes.update(written)
        header = built.header
        state.headers[header.hash()] = header
        headers.append(header)
        results.append(built)
        transactions.append(attrs.transactions)
        block = L2Block(header, attrs.transactions)
        parent = l2_block_info_from_block(block, cfg)
        l2.add_block(parent, system_config_from_block(block, cfg), block)
    return Chain(headers, results, transactions, state, cfg)


@pytest.fixture(scope="module")
def chain() -> Chain:
    return build_chain()


def test_every_transaction_succeeds(chain: Chain) -> None:
    # A wrong L1-info format, a wrong upgrade deposit or too little gas for a deployment would
    # revert in the real contracts and show as a failed receipt.
    for number in range(1, BLOCKS + 1):
        receipts = chain.result(number).receipts
        assert len(receipts) == len(chain.transactions[number])
        assert all(r.success for r in receipts), f"block {number}: {[r.success for r in receipts]}"
    counts = [len(chain.transactions[n]) for n in range(1, BLOCKS + 1)]
    # L1-info + user tx, plus 8 Isthmus upgrade deposits, block 3's withdrawal; the Jovian
    # activation block holds the L1-info and 5 upgrade deposits only.
    assert counts == [2, 10, 3, 6, 2, 2]


def test_l1_info_format_follows_the_l1block_of_the_block(chain: Chain) -> None:
    # The activation block still speaks the previous fork's format (the L1Block is upgraded
    # after the L1-info deposit); protocol/isthmus/derivation.md, protocol/jovian/derivation.md.
    expected = {1: "ecotone", 2: "ecotone", 3: "isthmus", 4: "isthmus", 5: "jovian", 6: "jovian"}
    for number, fork in expected.items():
        deposit = chain.transactions[number][0]
        _, info = decode_l1_info_tx(deposit)
        assert type(info).__name__.lower().startswith(f"l1blockinfo{fork}"), (number, type(info).__name__)


def test_upgrades_switch_the_implementations(chain: Chain) -> None:
    def impl(block: int, proxy: bytes) -> bytes:
        # The zero address reaches the proxy's own functions (Proxy.proxyCallIfNotAdmin).
        return chain.call(block, proxy, selector("implementation()"), sender=b"\x00" * 20)[12:]

    assert impl(1, L1_BLOCK) == implementation(0x15)
    assert impl(ISTHMUS_BLOCK, L1_BLOCK) == isthmus.L1_BLOCK_ADDRESS
    assert impl(ISTHMUS_BLOCK, GAS_PRICE_ORACLE) == isthmus.GAS_PRICE_ORACLE_ADDRESS
    assert impl(ISTHMUS_BLOCK, OPERATOR_FEE_VAULT) == isthmus.OPERATOR_FEE_VAULT_ADDRESS
    assert impl(JOVIAN_BLOCK, L1_BLOCK) == jovian.L1_BLOCK_ADDRESS
    assert impl(JOVIAN_BLOCK, GAS_PRICE_ORACLE) == jovian.GAS_PRICE_ORACLE_ADDRESS
    assert chain.uint(1, GAS_PRICE_ORACLE, "isFjord()") == 1
    assert chain.uint(ISTHMUS_BLOCK, GAS_PRICE_ORACLE, "isIsthmus()") == 1
    assert chain.uint(JOVIAN_BLOCK, GAS_PRICE_ORACLE, "isJovian()") == 1


def test_l1block_holds_the_system_config(chain: Chain) -> None:
    # Values written by the executor-run L1-info deposits, read back through the real getters;
    # the executor reads the same storage words for its fees (exec-engine.md "L1-Cost fees").
    cfg = chain.rollup_config.genesis.system_config
    for number in range(3, BLOCKS + 1):
        assert chain.uint(number, L1_BLOCK, "operatorFeeScalar()") == OPERATOR_FEE_SCALAR
        assert chain.uint(number, L1_BLOCK, "operatorFeeConstant()") == OPERATOR_FEE_CONSTANT
        assert chain.uint(number, L1_BLOCK, "baseFeeScalar()") == cfg.base_fee_scalar
        assert chain.uint(number, L1_BLOCK, "blobBaseFeeScalar()") == cfg.blob_base_fee_scalar
    assert chain.uint(ISTHMUS_BLOCK, L1_BLOCK, "operatorFeeScalar()") == 0
    for number in range(JOVIAN_BLOCK + 1, BLOCKS + 1):
        assert chain.uint(number, L1_BLOCK, "daFootprintGasScalar()") == DA_FOOTPRINT_GAS_SCALAR


@pytest.mark.parametrize(("block", "jovian"), [(3, False), (5, True), (6, True)])
def test_operator_fee_matches_the_gas_price_oracle(chain: Chain, block: int, jovian: bool) -> None:
    charged = chain.balance(block, OPERATOR_FEE_VAULT) - chain.balance(block - 1, OPERATOR_FEE_VAULT)
    txs = chain.user_txs(block)
    oracle = sum(
        chain.uint(block, GAS_PRICE_ORACLE, "getOperatorFee(uint256)", word(used)) for _, used in txs
    )
    ours = sum(
        operator_fee(used, OPERATOR_FEE_SCALAR, OPERATOR_FEE_CONSTANT, jovian=jovian) for _, used in txs
    )
    assert charged == oracle == ours > 0


def test_no_operator_fee_in_the_isthmus_activation_block(chain: Chain) -> None:
    # Its L1-info deposit is still Ecotone's, so the operator fee parameters are zero.
    assert chain.balance(ISTHMUS_BLOCK, OPERATOR_FEE_VAULT) == 0


@pytest.mark.parametrize("block", [3, 5])
@pytest.mark.parametrize("payload", PAYLOADS, ids=["empty", "bytes", "zeros", "hashes", "text"])
def test_fjord_l1_fee_matches_the_gas_price_oracle(chain: Chain, block: int, payload: bytes) -> None:
    # GasPriceOracle.getL1Fee(data) = Fjord cost of FastLZ(data) + 68 signature bytes, computed by
    # the contract's own LibZip.flzCompress: checks our FastLZ and the Fjord formula.
    l1_base_fee = chain.uint(block, L1_BLOCK, "basefee()")
    blob_base_fee = chain.uint(block, L1_BLOCK, "blobBaseFee()")
    cfg = chain.rollup_config.genesis.system_config
    encoded = word(32) + word(len(payload)) + payload + b"\x00" * (-len(payload) % 32)
    oracle = chain.uint(block, GAS_PRICE_ORACLE, "getL1Fee(bytes)", encoded)
    ours = l1_cost_fjord_from_size(
        flz_compress_len(payload) + 68,
        l1_base_fee,
        blob_base_fee,
        cfg.base_fee_scalar,
        cfg.blob_base_fee_scalar,
    )
    assert oracle == ours > 0


def test_fee_vaults_receive_the_fees(chain: Chain) -> None:
    cfg = chain.rollup_config.genesis.system_config
    for number in range(1, BLOCKS + 1):
        header = chain.headers[number]
        txs = chain.user_txs(number)

        def delta(vault: bytes, n: int = number) -> int:
            return chain.balance(n, vault) - chain.balance(n - 1, vault)

        assert delta(BASE_FEE_VAULT) == header.base_fee_per_gas * sum(used for _, used in txs)
        assert delta(SEQUENCER_FEE_VAULT) == 1 * sum(used for _, used in txs)  # 1 wei tip
        l1_base_fee = chain.uint(number, L1_BLOCK, "basefee()")
        blob_base_fee = chain.uint(number, L1_BLOCK, "blobBaseFee()")
        l1_fees = sum(
            l1_cost_fjord(
                raw,
                l1_base_fee,
                blob_base_fee,
                cfg.base_fee_scalar,
                cfg.blob_base_fee_scalar,
            )
            for raw, _ in txs
        )
        assert delta(L1_FEE_VAULT) == l1_fees
        assert (l1_fees > 0) == (number != JOVIAN_BLOCK)


def test_history_contract_answers_the_stored_hashes(chain: Chain) -> None:
    # EIP-2935 from Isthmus: each block stores its parent's hash (protocol/isthmus/exec-engine.md).
    # The contract is deployed inside block 2, so block 2's own system call finds no code.
    last = BLOCKS
    for number in range(ISTHMUS_BLOCK, last):
        assert chain.call(last, HISTORY_STORAGE_ADDRESS, word(number)) == chain.headers[number].hash()
    assert chain.call(last, HISTORY_STORAGE_ADDRESS, word(1)) == HASH_ZERO


def test_isthmus_header_fields(chain: Chain) -> None:
    for number in range(1, BLOCKS + 1):
        header = chain.headers[number]
        result = chain.result(number)
        if number < ISTHMUS_BLOCK:
            assert header.withdrawals_root == EMPTY_ROOT_HASH
            assert header.requests_hash is None
        else:
            assert header.withdrawals_root == result.message_passer_storage_root
            assert header.requests_hash == EMPTY_REQUESTS_HASH
    # The withdrawal of block 3 lands in the message passer's storage, and so in the header.
    roots = [chain.headers[n].withdrawals_root for n in range(ISTHMUS_BLOCK, BLOCKS + 1)]
    assert roots[0] != roots[1] == roots[2] == roots[3] == roots[4]
    assert chain.uint(3, MESSAGE_PASSER, "messageNonce()") == 1 << 240 | 1


def test_jovian_header_fields(chain: Chain) -> None:
    for number in range(1, BLOCKS + 1):
        header = chain.headers[number]
        extra = header.extra_data
        if number < JOVIAN_BLOCK:
            assert extra[0] == 0 and len(extra) == 9
            assert header.blob_gas_used == 0
            continue
        assert extra[0] == 1 and len(extra) == 17
        assert int.from_bytes(extra[9:], "big") == (MIN_BASE_FEE if number > JOVIAN_BLOCK else 0)
        footprint = sum(da_footprint(raw, DA_FOOTPRINT_GAS_SCALAR) for raw, _ in chain.user_txs(number))
        assert header.blob_gas_used == footprint
        assert (footprint > 0) == (number > JOVIAN_BLOCK)
    # The minimum takes effect in the child of the first block that records it.
    assert chain.headers[BLOCKS - 1].base_fee_per_gas < MIN_BASE_FEE
    assert chain.headers[BLOCKS].base_fee_per_gas == MIN_BASE_FEE
