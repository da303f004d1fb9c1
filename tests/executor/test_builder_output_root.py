"""The output root of a built block: computed when the message passer is in the witness, a named
condition when it is not (protocol/proposals.md "L2 Output Commitment Construction")."""

from __future__ import annotations

from pathlib import Path

import pytest
import rlp
from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB
from eth_hash.auto import keccak
from trie import HexaryTrie

from mauna.derive.testing import blank_header
from mauna.executor.attributes import OpPayloadAttributes
from mauna.executor.builder import MessagePasserUnavailableError, StatelessL2Builder
from mauna.executor.chain import ChainRules
from mauna.executor.constants import L2_TO_L1_MESSAGE_PASSER
from mauna.executor.fixture import load_fixture
from mauna.mpt.provider import DictTrieProvider
from mauna.primitives.header import Header
from mauna.protocol.deposits import DepositTx
from mauna.protocol.output_root import OutputRootV0

KONA = Path(__file__).resolve().parents[1] / "fixtures" / "kona"
CALLER = bytes.fromhex("00000000000000000000000000000000000c0ffe")
# SSTORE(7, 42); STOP — a stand-in for the message passer's code that writes one more slot.
PASSER_CODE = bytes.fromhex("602a600755") + b"\x00"


def _pre_state() -> tuple[dict[bytes, bytes], bytes]:
    """A state with the message passer (code, slot 1 = 5) and a funded caller, as a preimage map."""
    backing: dict[bytes, bytes] = {}
    db = AtomicDB(backing)
    accounts = AccountDB(db)
    accounts.set_code(L2_TO_L1_MESSAGE_PASSER, PASSER_CODE)
    accounts.set_storage(L2_TO_L1_MESSAGE_PASSER, 1, 5)
    accounts.set_balance(CALLER, 10**18)
    accounts.persist()
    return dict(backing), bytes(accounts.state_root)


def _expected_storage_root(slots: dict[int, int]) -> bytes:
    trie = HexaryTrie(db={})
    for slot, value in slots.items():
        trie[keccak(slot.to_bytes(32, "big"))] = rlp.encode(value)
    return bytes(trie.root_hash)


def _parent(state_root: bytes) -> Header:
    return blank_header(
        parent_hash=b"\x11" * 32,
        state_root=state_root,
        number=100,
        gas_used=15_000_000,
        timestamp=1_000,
        base_fee_per_gas=1_000,
    )


def _rules() -> ChainRules:
    # Regolith from genesis, nothing later: London rules, deposits report their real gas use.
    return ChainRules(
        chain_id=901,
        fork_times=(0,) + (None,) * 8,
        eip1559_elasticity=6,
        eip1559_denominator=50,
        eip1559_denominator_canyon=250,
    )


def test_output_root_from_a_state_holding_the_message_passer() -> None:
    preimages, state_root = _pre_state()
    parent = _parent(state_root)
    deposit = DepositTx(
        source_hash=b"\x22" * 32,
        from_=CALLER,
        to=L2_TO_L1_MESSAGE_PASSER,
        mint=0,
        value=0,
        gas=100_000,
        is_system_tx=False,
        data=b"",
    )
    attributes = OpPayloadAttributes(
        timestamp=parent.timestamp + 2,
        prev_randao=b"\x33" * 32,
        suggested_fee_recipient=b"\x00" * 20,
        transactions=(deposit.encode(),),
        gas_limit=30_000_000,
    )
    builder = StatelessL2Builder(_rules(), DictTrieProvider(preimages, verify=True), None, parent)
    result = builder.build_block(attributes)

    assert result.receipts[0].success
    expected_storage = _expected_storage_root({1: 5, 7: 42})
    assert result.message_passer_storage_root == expected_storage
    assert result.output_root_available
    expected = keccak(b"\x00" * 32 + result.header.state_root + expected_storage + result.block_hash)
    assert result.output_root == expected
    assert result.require_output_root() == expected
    assert expected == OutputRootV0(result.header.state_root, expected_storage, result.block_hash).hash()


def test_missing_message_passer_is_a_named_condition() -> None:
    # None of the kona witnesses holds the message passer's account path (pre-Isthmus block).
    fx = load_fixture(KONA / "executor" / "block-26207960.json")
    builder = StatelessL2Builder(fx.rollup_config, DictTrieProvider(fx.preimages), None, fx.parent_header)
    result = builder.build_block(fx.attributes)
    assert result.block_hash == fx.expected_block_hash
    assert not result.output_root_available and result.output_root is None
    assert result.message_passer_missing_node is not None
    with pytest.raises(MessagePasserUnavailableError, match="L2ToL1MessagePasser") as info:
        result.require_output_root()
    assert info.value.missing_node == result.message_passer_missing_node
    assert info.value.block_number == fx.number
