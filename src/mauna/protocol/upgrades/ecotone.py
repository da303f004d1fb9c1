"""Ecotone network-upgrade transactions.

Spec: protocol/ecotone/derivation.md, "Network upgrade automation transactions". After the
L1-attributes deposit (still Bedrock ``setL1BlockValues``) and the user deposits, the activation
block carries, in order:

1. L1Block deployment
2. GasPriceOracle deployment
3. L1Block proxy update (``upgradeTo``)
4. GasPriceOracle proxy update (``upgradeTo``)
5. GasPriceOracle ``setEcotone()``
6. EIP-4788 beacon block roots contract deployment
"""

from __future__ import annotations

from mauna.protocol.deposits import DepositTx
from mauna.protocol.upgrades.common import (
    GAS_PRICE_ORACLE_PROXY,
    L1_BLOCK_PROXY,
    create_address,
    deployment_deposit,
    function_selector,
    gas_price_oracle_call,
    load_bytecode,
    proxy_update_deposit,
)

L1_BLOCK_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000000")
GAS_PRICE_ORACLE_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000001")
# EIP-4788's deployment sender (a keyless account derived from the EIP's signed transaction).
BEACON_ROOTS_DEPLOYER = bytes.fromhex("0b799c86a49deeb90402691f1041aa3af2d3c875")

L1_BLOCK_ADDRESS = create_address(L1_BLOCK_DEPLOYER, 0)
"""New L1Block implementation, ``0x07dbe8500fc591d1852B76feE44d5a05e13097Ff``."""
GAS_PRICE_ORACLE_ADDRESS = create_address(GAS_PRICE_ORACLE_DEPLOYER, 0)
"""New GasPriceOracle implementation, ``0xb528D11cC114E026F138fE568744c6D45ce6Da7A``."""
BEACON_ROOTS_ADDRESS = create_address(BEACON_ROOTS_DEPLOYER, 0)
"""EIP-4788 ``BEACON_ROOTS_ADDRESS``, ``0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02``."""

# Code hashes the deployments must produce (keccak256 of the runtime code).
L1_BLOCK_CODE_HASH = bytes.fromhex("c88a313aa75dc4fbf0b6850d9f9ae41e04243b7008cf3eadb29256d4a71c1dfd")
GAS_PRICE_ORACLE_CODE_HASH = bytes.fromhex("8b71360ea773b4cfaf1ae6d2bd15464a4e1e2e360f786e475f63aeaed8da0ae5")

INTENT_L1_BLOCK_DEPLOYMENT = "Ecotone: L1 Block Deployment"
INTENT_GAS_PRICE_ORACLE_DEPLOYMENT = "Ecotone: Gas Price Oracle Deployment"
INTENT_L1_BLOCK_PROXY_UPDATE = "Ecotone: L1 Block Proxy Update"
INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE = "Ecotone: Gas Price Oracle Proxy Update"
INTENT_ENABLE_ECOTONE = "Ecotone: Gas Price Oracle Set Ecotone"
INTENT_BEACON_ROOTS_DEPLOYMENT = "Ecotone: beacon block roots contract deployment"

L1_BLOCK_DEPLOYMENT_GAS = 375_000
GAS_PRICE_ORACLE_DEPLOYMENT_GAS = 1_000_000
PROXY_UPDATE_GAS = 50_000
ENABLE_ECOTONE_GAS = 80_000
BEACON_ROOTS_DEPLOYMENT_GAS = 0x3D090

ENABLE_ECOTONE_INPUT = function_selector("setEcotone()")
"""``0x22b90ab3``."""

# EIP-4788 contract init code, as the spec and the EIP give it.
BEACON_ROOTS_DEPLOYMENT_CODE = bytes.fromhex(
    "60618060095f395ff33373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b"
    "5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42"
    "064281555f359062001fff015500"
)


def ecotone_upgrade_txs() -> list[DepositTx]:
    """The six Ecotone upgrade deposits, in block order."""
    return [
        deployment_deposit(
            INTENT_L1_BLOCK_DEPLOYMENT,
            L1_BLOCK_DEPLOYER,
            L1_BLOCK_DEPLOYMENT_GAS,
            load_bytecode("ecotone-l1-block-deployment"),
        ),
        deployment_deposit(
            INTENT_GAS_PRICE_ORACLE_DEPLOYMENT,
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            load_bytecode("ecotone-gas-price-oracle-deployment"),
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
        gas_price_oracle_call(INTENT_ENABLE_ECOTONE, ENABLE_ECOTONE_GAS, ENABLE_ECOTONE_INPUT),
        deployment_deposit(
            INTENT_BEACON_ROOTS_DEPLOYMENT,
            BEACON_ROOTS_DEPLOYER,
            BEACON_ROOTS_DEPLOYMENT_GAS,
            BEACON_ROOTS_DEPLOYMENT_CODE,
        ),
    ]
