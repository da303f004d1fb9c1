"""Isthmus network-upgrade transactions.

Spec: protocol/isthmus/derivation.md, "Network upgrade automation transactions". After the
L1-attributes deposit and the user deposits, the activation block carries, in order:

1. L1Block deployment
2. GasPriceOracle deployment
3. OperatorFeeVault deployment
4. L1Block proxy update (``upgradeTo``)
5. GasPriceOracle proxy update (``upgradeTo``)
6. OperatorFeeVault proxy update (``upgradeTo``)
7. GasPriceOracle ``setIsthmus()``
8. EIP-2935 block hash history contract deployment

Two typos of the spec are not followed: its ``cast sig "setIsthmus()"`` output shows Fjord's
``0x8e98b106`` while the transaction's ``data`` is ``0x291b0383`` (which is the selector), and
its ``compute-address`` snippets for the GasPriceOracle and OperatorFeeVault repeat the L1Block
deployer; the addresses it states are those of the deployers ``…04`` and ``…05`` used here.
"""

from __future__ import annotations

from mauna.protocol.deposits import DepositTx
from mauna.protocol.upgrades.common import (
    GAS_PRICE_ORACLE_PROXY,
    L1_BLOCK_PROXY,
    OPERATOR_FEE_VAULT_PROXY,
    create_address,
    deployment_deposit,
    function_selector,
    gas_price_oracle_call,
    load_bytecode,
    proxy_update_deposit,
)

L1_BLOCK_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000003")
GAS_PRICE_ORACLE_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000004")
OPERATOR_FEE_VAULT_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000005")
# EIP-2935's deployment sender (a keyless account derived from the EIP's signed transaction).
BLOCK_HASH_HISTORY_DEPLOYER = bytes.fromhex("3462413af4609098e1e27a490f554f260213d685")

L1_BLOCK_ADDRESS = create_address(L1_BLOCK_DEPLOYER, 0)
"""New L1Block implementation, ``0xFf256497D61dcd71a9e9Ff43967C13fdE1F72D12``."""
GAS_PRICE_ORACLE_ADDRESS = create_address(GAS_PRICE_ORACLE_DEPLOYER, 0)
"""New GasPriceOracle implementation, ``0x93e57A196454CB919193fa9946f14943cf733845``."""
OPERATOR_FEE_VAULT_ADDRESS = create_address(OPERATOR_FEE_VAULT_DEPLOYER, 0)
"""OperatorFeeVault implementation, ``0x4fa2Be8cd41504037F1838BcE3bCC93bC68Ff537``."""
BLOCK_HASH_HISTORY_ADDRESS = create_address(BLOCK_HASH_HISTORY_DEPLOYER, 0)
"""EIP-2935 history contract, ``0x0000F90827F1C53a10cb7A02335B175320002935``."""

# Code hashes the deployments must produce (keccak256 of the runtime code).
L1_BLOCK_CODE_HASH = bytes.fromhex("8e3fe7a416d3e5f3b7be74ddd4e7e58e516fa3f80b67c6d930e3cd7297da4a4b")
GAS_PRICE_ORACLE_CODE_HASH = bytes.fromhex("4d195a9d7caf9fb6d4beaf80de252c626c853afd5868c4f4f8d19c9d301c2679")
OPERATOR_FEE_VAULT_CODE_HASH = bytes.fromhex(
    "57dc55c9c09ca456fa728f253fe7b895d3e6aae0706104935fe87c7721001971"
)
BLOCK_HASH_HISTORY_CODE_HASH = bytes.fromhex(
    "6e49e66782037c0555897870e29fa5e552daf4719552131a0abce779daec0a5d"
)

INTENT_L1_BLOCK_DEPLOYMENT = "Isthmus: L1 Block Deployment"
INTENT_GAS_PRICE_ORACLE_DEPLOYMENT = "Isthmus: Gas Price Oracle Deployment"
INTENT_OPERATOR_FEE_VAULT_DEPLOYMENT = "Isthmus: Operator Fee Vault Deployment"
INTENT_L1_BLOCK_PROXY_UPDATE = "Isthmus: L1 Block Proxy Update"
INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE = "Isthmus: Gas Price Oracle Proxy Update"
INTENT_OPERATOR_FEE_VAULT_PROXY_UPDATE = "Isthmus: Operator Fee Vault Proxy Update"
INTENT_ENABLE_ISTHMUS = "Isthmus: Gas Price Oracle Set Isthmus"
INTENT_BLOCK_HASH_HISTORY_DEPLOYMENT = "Isthmus: EIP-2935 Contract Deployment"

L1_BLOCK_DEPLOYMENT_GAS = 425_000
GAS_PRICE_ORACLE_DEPLOYMENT_GAS = 1_625_000
OPERATOR_FEE_VAULT_DEPLOYMENT_GAS = 500_000
PROXY_UPDATE_GAS = 50_000
ENABLE_ISTHMUS_GAS = 90_000
BLOCK_HASH_HISTORY_DEPLOYMENT_GAS = 250_000

ENABLE_ISTHMUS_INPUT = function_selector("setIsthmus()")
"""``0x291b0383``."""

# EIP-2935 contract init code, as the spec and the EIP give it.
BLOCK_HASH_HISTORY_DEPLOYMENT_CODE = bytes.fromhex(
    "60538060095f395ff33373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f3560014303"
    "8111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500"
)


def isthmus_upgrade_txs() -> list[DepositTx]:
    """The eight Isthmus upgrade deposits, in block order."""
    return [
        deployment_deposit(
            INTENT_L1_BLOCK_DEPLOYMENT,
            L1_BLOCK_DEPLOYER,
            L1_BLOCK_DEPLOYMENT_GAS,
            load_bytecode("isthmus-l1-block-deployment"),
        ),
        deployment_deposit(
            INTENT_GAS_PRICE_ORACLE_DEPLOYMENT,
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            load_bytecode("isthmus-gas-price-oracle-deployment"),
        ),
        deployment_deposit(
            INTENT_OPERATOR_FEE_VAULT_DEPLOYMENT,
            OPERATOR_FEE_VAULT_DEPLOYER,
            OPERATOR_FEE_VAULT_DEPLOYMENT_GAS,
            load_bytecode("isthmus-operator-fee-vault-deployment"),
        ),
        proxy_update_deposit(
            INTENT_L1_BLOCK_PROXY_UPDATE, L1_BLOCK_PROXY, L1_BLOCK_ADDRESS, PROXY_UPDATE_GAS
        ),
        proxy_update_deposit(
            INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE,
            GAS_PRICE_ORACLE_PROXY,
            GAS_PRICE_ORACLE_ADDRESS,
            PROXY_UPDATE_GAS,
        ),
        proxy_update_deposit(
            INTENT_OPERATOR_FEE_VAULT_PROXY_UPDATE,
            OPERATOR_FEE_VAULT_PROXY,
            OPERATOR_FEE_VAULT_ADDRESS,
            PROXY_UPDATE_GAS,
        ),
        gas_price_oracle_call(INTENT_ENABLE_ISTHMUS, ENABLE_ISTHMUS_GAS, ENABLE_ISTHMUS_INPUT),
        deployment_deposit(
            INTENT_BLOCK_HASH_HISTORY_DEPLOYMENT,
            BLOCK_HASH_HISTORY_DEPLOYER,
            BLOCK_HASH_HISTORY_DEPLOYMENT_GAS,
            BLOCK_HASH_HISTORY_DEPLOYMENT_CODE,
        ),
    ]
