"""Jovian network-upgrade transactions.

Spec: protocol/jovian/derivation.md, "Activation Block Rules" and "Network Upgrade Transactions".
After the L1-attributes deposit (still ``setL1BlockValuesIsthmus``) and the user deposits, the
activation block carries, in order:

1. L1Block deployment
2. L1Block proxy update (``upgradeTo``)
3. GasPriceOracle deployment
4. GasPriceOracle proxy update (``upgradeTo``)
5. GasPriceOracle ``setJovian()``

Senders, gas limits, calldata and bytecode are the spec's. The intent strings are not: the spec
lists ``"Jovian: L1Block Deployment"``, ``"Jovian: L1Block Proxy Update"``,
``"Jovian: GasPriceOracle Deployment"`` and ``"Jovian: GasPriceOracle Proxy Update"`` (with source
hashes ``0x98faf23b…``, ``0x08447273…``, ``0xd939cca6…``, ``0x46b597e2…``), while op-node and kona,
which produced the Jovian activation blocks of the live chains, hash ``"Jovian: L1 Block
Deployment"``, ``"Jovian: L1 Block Proxy Update"``, ``"Jovian: Gas Price Oracle Deployment"`` and
``"Jovian: Gas Price Oracle Proxy Update"``. A different source hash changes the transaction and
hence the block hash, so the deployed intents are used here; the spec-table variants are kept in
:data:`SPEC_TABLE_INTENTS` for reference.
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

L1_BLOCK_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000006")
GAS_PRICE_ORACLE_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000007")

L1_BLOCK_ADDRESS = create_address(L1_BLOCK_DEPLOYER, 0)
"""New L1Block implementation, ``0x3Ba4007f5C922FBb33C454B41ea7a1f11E83df2C``."""
GAS_PRICE_ORACLE_ADDRESS = create_address(GAS_PRICE_ORACLE_DEPLOYER, 0)
"""New GasPriceOracle implementation, ``0x4f1db3c6AbD250ba86E0928471A8F7DB3AFd88F1``."""

# Code hashes the deployments must produce (keccak256 of the runtime code).
L1_BLOCK_CODE_HASH = bytes.fromhex("5f885ca815d2cf27a203123e50b8ae204fdca910b6995d90b2d7700cbb9240d1")
GAS_PRICE_ORACLE_CODE_HASH = bytes.fromhex("e9fc7c96c4db0d6078e3d359d7e8c982c350a513cb2c31121adf5e1e8a446614")

INTENT_L1_BLOCK_DEPLOYMENT = "Jovian: L1 Block Deployment"
INTENT_L1_BLOCK_PROXY_UPDATE = "Jovian: L1 Block Proxy Update"
INTENT_GAS_PRICE_ORACLE_DEPLOYMENT = "Jovian: Gas Price Oracle Deployment"
INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE = "Jovian: Gas Price Oracle Proxy Update"
INTENT_ENABLE_JOVIAN = "Jovian: Gas Price Oracle Set Jovian"

SPEC_TABLE_INTENTS: tuple[str, ...] = (
    "Jovian: L1Block Deployment",
    "Jovian: L1Block Proxy Update",
    "Jovian: GasPriceOracle Deployment",
    "Jovian: GasPriceOracle Proxy Update",
)
"""Intents as protocol/jovian/derivation.md writes them (not used on chain; see module doc)."""

L1_BLOCK_DEPLOYMENT_GAS = 447_315
GAS_PRICE_ORACLE_DEPLOYMENT_GAS = 1_750_714
PROXY_UPDATE_GAS = 50_000
ENABLE_JOVIAN_GAS = 90_000

ENABLE_JOVIAN_INPUT = function_selector("setJovian()")
"""``0xb3d72079``."""


def jovian_upgrade_txs() -> list[DepositTx]:
    """The five Jovian upgrade deposits, in block order."""
    return [
        deployment_deposit(
            INTENT_L1_BLOCK_DEPLOYMENT,
            L1_BLOCK_DEPLOYER,
            L1_BLOCK_DEPLOYMENT_GAS,
            load_bytecode("jovian-l1-block-deployment"),
        ),
        proxy_update_deposit(
            INTENT_L1_BLOCK_PROXY_UPDATE, L1_BLOCK_PROXY, L1_BLOCK_ADDRESS, PROXY_UPDATE_GAS
        ),
        deployment_deposit(
            INTENT_GAS_PRICE_ORACLE_DEPLOYMENT,
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            load_bytecode("jovian-gas-price-oracle-deployment"),
        ),
        proxy_update_deposit(
            INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE,
            GAS_PRICE_ORACLE_PROXY,
            GAS_PRICE_ORACLE_ADDRESS,
            PROXY_UPDATE_GAS,
        ),
        gas_price_oracle_call(INTENT_ENABLE_JOVIAN, ENABLE_JOVIAN_GAS, ENABLE_JOVIAN_INPUT),
    ]
