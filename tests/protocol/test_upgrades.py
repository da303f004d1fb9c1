"""Network-upgrade transactions: byte-exact against kona's encodings and against the spec tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth.constants import BLANK_ROOT_HASH, CREATE_CONTRACT_ADDRESS
from eth.db.atomic import AtomicDB
from eth.vm.execution_context import ExecutionContext
from eth.vm.forks.cancun.computation import CancunComputation
from eth.vm.forks.cancun.state import CancunState
from eth.vm.message import Message
from eth.vm.transaction_context import BaseTransactionContext
from eth_typing import Address, BlockNumber, Hash32

from mauna.primitives.bytes import keccak256
from mauna.protocol.deposits import DepositTx, upgrade_deposit_source_hash
from mauna.protocol.upgrades import (
    ecotone,
    ecotone_upgrade_txs,
    fjord,
    fjord_upgrade_txs,
    isthmus,
    isthmus_upgrade_txs,
    jovian,
    jovian_upgrade_txs,
    upgrade_transactions,
)
from mauna.protocol.upgrades.common import (
    UpgradeDataError,
    create_address,
    function_selector,
    load_bytecode,
    upgrade_to_calldata,
)

BYTECODE = Path(__file__).parents[1] / "fixtures" / "kona" / "hardforks-bytecode"
SPEC_BYTECODE = Path("/work/shared/reference/op-specs/static/bytecode")


def fixture_bytes(name: str) -> bytes:
    return bytes.fromhex((BYTECODE / name).read_text().strip().removeprefix("0x"))


def h(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


# --- byte-exact encodings (kona's ecotone_tx_*, fjord_tx_*, isthmus_tx_* are full 0x7E envelopes) ----


@pytest.mark.parametrize(
    ("fork", "build", "count"),
    [
        ("ecotone", ecotone_upgrade_txs, 6),
        ("fjord", fjord_upgrade_txs, 3),
        ("isthmus", isthmus_upgrade_txs, 8),
    ],
)
def test_encodings_match_kona_byte_for_byte(
    fork: str, build: Callable[[], list[DepositTx]], count: int
) -> None:
    txs = build()
    assert len(txs) == count
    for index, tx in enumerate(txs):
        expected = fixture_bytes(f"{fork}_tx_{index}.hex")
        assert expected[0] == 0x7E
        assert tx.encode() == expected, f"{fork} tx {index}"
        assert DepositTx.decode(expected) == tx


@pytest.mark.parametrize(
    ("package_name", "fixture_name"),
    [
        ("ecotone-l1-block-deployment", "l1_block_ecotone.hex"),
        ("ecotone-gas-price-oracle-deployment", "gpo_ecotone.hex"),
        ("fjord-gas-price-oracle-deployment", "gpo_fjord.hex"),
        ("isthmus-l1-block-deployment", "l1_block_isthmus.hex"),
        ("isthmus-gas-price-oracle-deployment", "gpo_isthmus.hex"),
        ("isthmus-operator-fee-vault-deployment", "ofv_isthmus.hex"),
        ("jovian-l1-block-deployment", "jovian-l1-block-deployment.hex"),
        ("jovian-gas-price-oracle-deployment", "jovian-gas-price-oracle-deployment.hex"),
    ],
)
def test_shipped_bytecode_matches_kona(package_name: str, fixture_name: str) -> None:
    assert load_bytecode(package_name) == fixture_bytes(fixture_name)


@pytest.mark.skipif(not SPEC_BYTECODE.is_dir(), reason="spec checkout not available")
@pytest.mark.parametrize(
    ("package_name", "spec_name"),
    [
        ("ecotone-l1-block-deployment", "ecotone-l1-block-deployment.txt"),
        ("ecotone-gas-price-oracle-deployment", "ecotone-gas-price-oracle-deployment.txt"),
        ("fjord-gas-price-oracle-deployment", "fjord-gas-price-oracle-deployment.txt"),
        ("isthmus-l1-block-deployment", "isthmus-l1-block-deployment.txt"),
        ("isthmus-gas-price-oracle-deployment", "isthmus-gas-price-oracle-deployment.txt"),
        ("isthmus-operator-fee-vault-deployment", "isthmus-operator-fee-deployment.txt"),
        ("jovian-l1-block-deployment", "jovian-l1-block-deployment.txt"),
        ("jovian-gas-price-oracle-deployment", "jovian-gas-price-oracle-deployment.txt"),
    ],
)
def test_shipped_bytecode_matches_spec(package_name: str, spec_name: str) -> None:
    text = "".join((SPEC_BYTECODE / spec_name).read_text().split()).removeprefix("0x")
    assert load_bytecode(package_name) == bytes.fromhex(text)


def test_eip_deployment_codes_match_kona() -> None:
    txs = ecotone_upgrade_txs() + isthmus_upgrade_txs()
    assert txs[5].data == fixture_bytes("eip4788_ecotone.hex")
    assert txs[-1].data == fixture_bytes("eip2935_isthmus.hex")


def test_unknown_bytecode_is_a_typed_error() -> None:
    with pytest.raises(UpgradeDataError, match="no-such-contract"):
        load_bytecode("no-such-contract")


# --- spec tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    intent: str
    source_hash: str
    from_: str
    to: str | None
    gas: int
    data: str | None  # None: a deployment bytecode, checked elsewhere


DEPOSITOR = "0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001"
ZERO = "0x0000000000000000000000000000000000000000"
L1_BLOCK_PROXY = "0x4200000000000000000000000000000000000015"
GPO_PROXY = "0x420000000000000000000000000000000000000f"
OFV_PROXY = "0x420000000000000000000000000000000000001b"

ECOTONE_TABLE = [
    Row(
        "Ecotone: L1 Block Deployment",
        "0x877a6077205782ea15a6dc8699fa5ebcec5e0f4389f09cb8eda09488231346f8",
        "0x4210000000000000000000000000000000000000",
        None,
        375_000,
        None,
    ),
    Row(
        "Ecotone: Gas Price Oracle Deployment",
        "0xa312b4510adf943510f05fcc8f15f86995a5066bd83ce11384688ae20e6ecf42",
        "0x4210000000000000000000000000000000000001",
        None,
        1_000_000,
        None,
    ),
    Row(
        "Ecotone: L1 Block Proxy Update",
        "0x18acb38c5ff1c238a7460ebc1b421fa49ec4874bdf1e0a530d234104e5e67dbc",
        ZERO,
        L1_BLOCK_PROXY,
        50_000,
        "0x3659cfe600000000000000000000000007dbe8500fc591d1852b76fee44d5a05e13097ff",
    ),
    Row(
        "Ecotone: Gas Price Oracle Proxy Update",
        "0xee4f9385eceef498af0be7ec5862229f426dec41c8d42397c7257a5117d9230a",
        ZERO,
        GPO_PROXY,
        50_000,
        "0x3659cfe6000000000000000000000000b528d11cc114e026f138fe568744c6d45ce6da7a",
    ),
    Row(
        "Ecotone: Gas Price Oracle Set Ecotone",
        "0x0c1cb38e99dbc9cbfab3bb80863380b0905290b37eb3d6ab18dc01c1f3e75f93",
        DEPOSITOR,
        GPO_PROXY,
        80_000,
        "0x22b90ab3",
    ),
    Row(
        "Ecotone: beacon block roots contract deployment",
        "0x69b763c48478b9dc2f65ada09b3d92133ec592ea715ec65ad6e7f3dc519dc00c",
        "0x0b799c86a49deeb90402691f1041aa3af2d3c875",
        None,
        0x3D090,
        "0x60618060095f395ff33373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f"
        "35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281"
        "555f359062001fff015500",
    ),
]

FJORD_TABLE = [
    Row(
        "Fjord: Gas Price Oracle Deployment",
        "0x86122c533fdcb89b16d8713174625e44578a89751d96c098ec19ab40a51a8ea3",
        "0x4210000000000000000000000000000000000002",
        None,
        1_450_000,
        None,
    ),
    Row(
        "Fjord: Gas Price Oracle Proxy Update",
        "0x1e6bb0c28bfab3dc9b36ffb0f721f00d6937f33577606325692db0965a7d58c6",
        ZERO,
        GPO_PROXY,
        50_000,
        "0x3659cfe6000000000000000000000000a919894851548179a0750865e7974da599c0fac7",
    ),
    Row(
        "Fjord: Gas Price Oracle Set Fjord",
        "0xbac7bb0d5961cad209a345408b0280a0d4686b1b20665e1b0f9cdafd73b19b6b",
        DEPOSITOR,
        GPO_PROXY,
        90_000,
        "0x8e98b106",
    ),
]

ISTHMUS_TABLE = [
    Row(
        "Isthmus: L1 Block Deployment",
        "0x3b2d0821ca2411ad5cd3595804d1213d15737188ae4cbd58aa19c821a6c211bf",
        "0x4210000000000000000000000000000000000003",
        None,
        425_000,
        None,
    ),
    Row(
        "Isthmus: Gas Price Oracle Deployment",
        "0xfc70b48424763fa3fab9844253b4f8d508f91eb1f7cb11a247c9baec0afb8035",
        "0x4210000000000000000000000000000000000004",
        None,
        1_625_000,
        None,
    ),
    Row(
        "Isthmus: Operator Fee Vault Deployment",
        "0x107a570d3db75e6110817eb024f09f3172657e920634111ce9875d08a16daa96",
        "0x4210000000000000000000000000000000000005",
        None,
        500_000,
        None,
    ),
    Row(
        "Isthmus: L1 Block Proxy Update",
        "0xebe8b5cb10ca47e0d8bda8f5355f2d66711a54ddeb0ef1d30e29418c9bf17a0e",
        ZERO,
        L1_BLOCK_PROXY,
        50_000,
        "0x3659cfe6000000000000000000000000ff256497d61dcd71a9e9ff43967c13fde1f72d12",
    ),
    Row(
        "Isthmus: Gas Price Oracle Proxy Update",
        "0xecf2d9161d26c54eda6b7bfdd9142719b1e1199a6e5641468d1bf705bc531ab0",
        ZERO,
        GPO_PROXY,
        50_000,
        "0x3659cfe600000000000000000000000093e57a196454cb919193fa9946f14943cf733845",
    ),
    Row(
        "Isthmus: Operator Fee Vault Proxy Update",
        "0xad74e1adb877ccbe176b8fa1cc559388a16e090ddbe8b512f5b37d07d887a927",
        ZERO,
        OFV_PROXY,
        50_000,
        "0x3659cfe60000000000000000000000004fa2be8cd41504037f1838bce3bcc93bc68ff537",
    ),
    Row(
        "Isthmus: Gas Price Oracle Set Isthmus",
        "0x3ddf4b1302548dd92939826e970f260ba36167f4c25f18390a5e8b194b295319",
        DEPOSITOR,
        GPO_PROXY,
        90_000,
        "0x291b0383",
    ),
    Row(
        "Isthmus: EIP-2935 Contract Deployment",
        "0xbfb734dae514c5974ddf803e54c1bc43d5cdb4a48ae27e1d9b875a5a150b553a",
        "0x3462413af4609098e1e27a490f554f260213d685",
        None,
        250_000,
        "0x60538060095f395ff33373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f3560014303"
        "8111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500",
    ),
]

# Jovian: senders, targets, gas and calldata from the spec; source hashes of the intents op-node and
# kona use on chain (see mauna.protocol.upgrades.jovian), values as kona's tests state them.
JOVIAN_TABLE = [
    Row(
        "Jovian: L1 Block Deployment",
        "0xbb1a656f65401240fac3db12e7a79ebb954b11e62f7626eb11691539b798d3bf",
        "0x4210000000000000000000000000000000000006",
        None,
        447_315,
        None,
    ),
    Row(
        "Jovian: L1 Block Proxy Update",
        "0xf3275f829340521028f9ad5bce4ecb1c64a45d448794effa2a77674627338e76",
        ZERO,
        L1_BLOCK_PROXY,
        50_000,
        "0x3659cfe60000000000000000000000003ba4007f5c922fbb33c454b41ea7a1f11e83df2c",
    ),
    Row(
        "Jovian: Gas Price Oracle Deployment",
        "0x239b7021a6c2cf3a918481242bbb5a9499057f24501539467536c691bb133962",
        "0x4210000000000000000000000000000000000007",
        None,
        1_750_714,
        None,
    ),
    Row(
        "Jovian: Gas Price Oracle Proxy Update",
        "0xa70c60aa53b8c1c0d52b39b1e901e7d7c09f7819595cb24048a6bb1983b401ff",
        ZERO,
        GPO_PROXY,
        50_000,
        "0x3659cfe60000000000000000000000004f1db3c6abd250ba86e0928471a8f7db3afd88f1",
    ),
    Row(
        "Jovian: Gas Price Oracle Set Jovian",
        "0xe836db6a959371756f8941be3e962d000f7e12a32e49e2c9ca42ba177a92716c",
        DEPOSITOR,
        GPO_PROXY,
        90_000,
        "0xb3d72079",
    ),
]


@pytest.mark.parametrize(
    ("build", "table"),
    [
        (ecotone_upgrade_txs, ECOTONE_TABLE),
        (fjord_upgrade_txs, FJORD_TABLE),
        (isthmus_upgrade_txs, ISTHMUS_TABLE),
        (jovian_upgrade_txs, JOVIAN_TABLE),
    ],
    ids=["ecotone", "fjord", "isthmus", "jovian"],
)
def test_transactions_match_spec_table(build: Callable[[], list[DepositTx]], table: list[Row]) -> None:
    txs = build()
    assert len(txs) == len(table)
    for tx, row in zip(txs, table, strict=True):
        assert upgrade_deposit_source_hash(row.intent) == h(row.source_hash), row.intent
        assert tx.source_hash == h(row.source_hash), row.intent
        assert tx.from_ == h(row.from_), row.intent
        assert tx.to == (None if row.to is None else h(row.to)), row.intent
        assert (tx.mint, tx.value, tx.is_system_tx) == (0, 0, False), row.intent
        assert tx.gas == row.gas, row.intent
        if row.data is not None:
            assert tx.data == h(row.data), row.intent
        else:
            assert tx.data[:4] == h("60806040") or tx.data[:4] == h("60e06040"), row.intent


def test_jovian_spec_table_hashes_belong_to_the_spec_spelling() -> None:
    # protocol/jovian/derivation.md lists these hashes for its (unused) intent spellings.
    spec_hashes = [
        "0x98faf23b9795967bc0b1c543144739d50dba3ea40420e77ad6ca9848dbfb62e8",
        "0x08447273a4fbce97bc8c515f97ac74efc461f6a4001553712f31ebc11288bad2",
        "0xd939cca6eca7bd0ee0c7e89f7e5b5cf7bf6f7afe7b6966bb45dfb95344b31545",
        "0x46b597e2d8346ed7749b46734074361e0b41a0ab9af7afda5bb4e367e072bcb8",
    ]
    for intent, expected in zip(jovian.SPEC_TABLE_INTENTS, spec_hashes, strict=True):
        assert upgrade_deposit_source_hash(intent) == h(expected)
    used = {tx.source_hash for tx in jovian_upgrade_txs()}
    assert used.isdisjoint(h(x) for x in spec_hashes)


def test_jovian_deployment_data_is_the_spec_bytecode() -> None:
    txs = jovian_upgrade_txs()
    assert txs[0].data == fixture_bytes("jovian-l1-block-deployment.hex")
    assert txs[2].data == fixture_bytes("jovian-gas-price-oracle-deployment.hex")


# --- addresses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("computed", "spec"),
    [
        (ecotone.L1_BLOCK_ADDRESS, "0x07dbe8500fc591d1852B76feE44d5a05e13097Ff"),
        (ecotone.GAS_PRICE_ORACLE_ADDRESS, "0xb528D11cC114E026F138fE568744c6D45ce6Da7A"),
        (ecotone.BEACON_ROOTS_ADDRESS, "0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02"),
        (fjord.GAS_PRICE_ORACLE_ADDRESS, "0xa919894851548179A0750865e7974DA599C0Fac7"),
        (isthmus.L1_BLOCK_ADDRESS, "0xFf256497D61dcd71a9e9Ff43967C13fdE1F72D12"),
        (isthmus.GAS_PRICE_ORACLE_ADDRESS, "0x93e57A196454CB919193fa9946f14943cf733845"),
        (isthmus.OPERATOR_FEE_VAULT_ADDRESS, "0x4fa2Be8cd41504037F1838BcE3bCC93bC68Ff537"),
        (isthmus.BLOCK_HASH_HISTORY_ADDRESS, "0x0000F90827F1C53a10cb7A02335B175320002935"),
        (jovian.L1_BLOCK_ADDRESS, "0x3Ba4007f5C922FBb33C454B41ea7a1f11E83df2C"),
        (jovian.GAS_PRICE_ORACLE_ADDRESS, "0x4f1db3c6AbD250ba86E0928471A8F7DB3AFd88F1"),
    ],
)
def test_implementation_addresses_match_spec(computed: bytes, spec: str) -> None:
    assert computed == h(spec)


def test_beacon_roots_address_at_nonce_one() -> None:
    # The spec: a second deployment (user already submitted the EIP's transaction) lands here.
    assert create_address(ecotone.BEACON_ROOTS_DEPLOYER, 1) == h("0xE3aE1Ae551eeEda337c0BfF6C4c7cbA98dce353B")


@pytest.mark.parametrize(
    ("selector", "spec"),
    [
        (function_selector("upgradeTo(address)"), "0x3659cfe6"),
        (ecotone.ENABLE_ECOTONE_INPUT, "0x22b90ab3"),
        (fjord.ENABLE_FJORD_INPUT, "0x8e98b106"),
        (isthmus.ENABLE_ISTHMUS_INPUT, "0x291b0383"),
        (jovian.ENABLE_JOVIAN_INPUT, "0xb3d72079"),
    ],
)
def test_selectors(selector: bytes, spec: str) -> None:
    assert selector == h(spec)


def test_upgrade_to_calldata() -> None:
    assert upgrade_to_calldata(h("0x07dbe8500fc591d1852B76feE44d5a05e13097Ff")) == h(
        "0x3659cfe600000000000000000000000007dbe8500fc591d1852b76fee44d5a05e13097ff"
    )
    with pytest.raises(UpgradeDataError):
        upgrade_to_calldata(b"\x01" * 19)
    with pytest.raises(UpgradeDataError):
        create_address(b"\x01" * 21, 0)


# --- deployed code hashes: run each deployment's init code in the EVM -------------------------------


def deployed_code(init_code: bytes, sender: bytes) -> bytes:
    context = ExecutionContext(
        coinbase=Address(b"\x00" * 20),
        timestamp=1,
        block_number=BlockNumber(1),
        difficulty=0,
        mix_hash=Hash32(b"\x00" * 32),
        gas_limit=30_000_000,
        prev_hashes=[],
        chain_id=10,
        base_fee_per_gas=0,
        excess_blob_gas=0,
    )
    state = CancunState(AtomicDB(), context, BLANK_ROOT_HASH)
    address = Address(create_address(sender, 0))
    origin = Address(sender)
    message = Message(
        gas=10_000_000,
        to=CREATE_CONTRACT_ADDRESS,
        sender=origin,
        value=0,
        data=b"",
        code=init_code,
        create_address=address,
    )
    computation = CancunComputation.apply_create_message(
        state, message, BaseTransactionContext(gas_price=0, origin=origin)
    )
    assert not computation.is_error, computation.error
    return bytes(state.get_code(address))


@pytest.mark.parametrize(
    ("build", "index", "code_hash"),
    [
        (ecotone_upgrade_txs, 0, ecotone.L1_BLOCK_CODE_HASH),
        (ecotone_upgrade_txs, 1, ecotone.GAS_PRICE_ORACLE_CODE_HASH),
        (fjord_upgrade_txs, 0, fjord.GAS_PRICE_ORACLE_CODE_HASH),
        (isthmus_upgrade_txs, 0, isthmus.L1_BLOCK_CODE_HASH),
        (isthmus_upgrade_txs, 1, isthmus.GAS_PRICE_ORACLE_CODE_HASH),
        (isthmus_upgrade_txs, 2, isthmus.OPERATOR_FEE_VAULT_CODE_HASH),
        (isthmus_upgrade_txs, 7, isthmus.BLOCK_HASH_HISTORY_CODE_HASH),
        (jovian_upgrade_txs, 0, jovian.L1_BLOCK_CODE_HASH),
        (jovian_upgrade_txs, 2, jovian.GAS_PRICE_ORACLE_CODE_HASH),
    ],
)
def test_deployments_produce_spec_code_hash(
    build: Callable[[], list[DepositTx]], index: int, code_hash: bytes
) -> None:
    tx = build()[index]
    assert tx.to is None
    assert keccak256(deployed_code(tx.data, tx.from_)) == code_hash


@pytest.mark.parametrize(
    ("constant", "spec"),
    [
        (ecotone.L1_BLOCK_CODE_HASH, "0xc88a313aa75dc4fbf0b6850d9f9ae41e04243b7008cf3eadb29256d4a71c1dfd"),
        (
            ecotone.GAS_PRICE_ORACLE_CODE_HASH,
            "0x8b71360ea773b4cfaf1ae6d2bd15464a4e1e2e360f786e475f63aeaed8da0ae5",
        ),
        (
            fjord.GAS_PRICE_ORACLE_CODE_HASH,
            "0xa88fa50a2745b15e6794247614b5298483070661adacb8d32d716434ed24c6b2",
        ),
        (isthmus.L1_BLOCK_CODE_HASH, "0x8e3fe7a416d3e5f3b7be74ddd4e7e58e516fa3f80b67c6d930e3cd7297da4a4b"),
        (
            isthmus.GAS_PRICE_ORACLE_CODE_HASH,
            "0x4d195a9d7caf9fb6d4beaf80de252c626c853afd5868c4f4f8d19c9d301c2679",
        ),
        (
            isthmus.OPERATOR_FEE_VAULT_CODE_HASH,
            "0x57dc55c9c09ca456fa728f253fe7b895d3e6aae0706104935fe87c7721001971",
        ),
        (
            isthmus.BLOCK_HASH_HISTORY_CODE_HASH,
            "0x6e49e66782037c0555897870e29fa5e552daf4719552131a0abce779daec0a5d",
        ),
        (jovian.L1_BLOCK_CODE_HASH, "0x5f885ca815d2cf27a203123e50b8ae204fdca910b6995d90b2d7700cbb9240d1"),
        (
            jovian.GAS_PRICE_ORACLE_CODE_HASH,
            "0xe9fc7c96c4db0d6078e3d359d7e8c982c350a513cb2c31121adf5e1e8a446614",
        ),
    ],
)
def test_code_hash_constants_are_the_spec_values(constant: bytes, spec: str) -> None:
    assert constant == h(spec)


# --- upgrade_transactions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeConfig:
    ecotone: int | None = None
    fjord: int | None = None
    isthmus: int | None = None
    jovian: int | None = None

    def is_first_ecotone_block(self, l2_timestamp: int) -> bool:
        return self.ecotone == l2_timestamp

    def is_first_fjord_block(self, l2_timestamp: int) -> bool:
        return self.fjord == l2_timestamp

    def is_first_isthmus_block(self, l2_timestamp: int) -> bool:
        return self.isthmus == l2_timestamp

    def is_first_jovian_block(self, l2_timestamp: int) -> bool:
        return self.jovian == l2_timestamp


def test_upgrade_transactions_per_activation_block() -> None:
    config = FakeConfig(ecotone=100, fjord=102, isthmus=104, jovian=106)
    assert upgrade_transactions(config, 99) == []
    assert upgrade_transactions(config, 101) == []
    assert upgrade_transactions(config, 100) == [fixture_bytes(f"ecotone_tx_{i}.hex") for i in range(6)]
    assert upgrade_transactions(config, 102) == [fixture_bytes(f"fjord_tx_{i}.hex") for i in range(3)]
    assert upgrade_transactions(config, 104) == [fixture_bytes(f"isthmus_tx_{i}.hex") for i in range(8)]
    assert upgrade_transactions(config, 106) == [tx.encode() for tx in jovian_upgrade_txs()]


def test_upgrade_transactions_of_coinciding_forks_follow_fork_order() -> None:
    config = FakeConfig(isthmus=50, jovian=50, fjord=50)
    txs = upgrade_transactions(config, 50)
    expected = [tx.encode() for tx in fjord_upgrade_txs() + isthmus_upgrade_txs() + jovian_upgrade_txs()]
    assert txs == expected
    assert len(txs) == 3 + 8 + 5
    assert all(raw[0] == 0x7E for raw in txs)
