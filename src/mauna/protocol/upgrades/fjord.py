"""Fjord network-upgrade transactions.

Spec: protocol/fjord/derivation.md, "Network upgrade automation transactions". After the
L1-attributes deposit and the user deposits, the activation block carries, in order:

1. GasPriceOracle deployment
2. GasPriceOracle proxy update (``upgradeTo``)
3. GasPriceOracle ``setFjord()``
"""

from __future__ import annotations

from mauna.protocol.deposits import DepositTx
from mauna.protocol.upgrades.common import (
    GAS_PRICE_ORACLE_PROXY,
    create_address,
    deployment_deposit,
    function_selector,
    gas_price_oracle_call,
    load_bytecode,
    proxy_update_deposit,
)

GAS_PRICE_ORACLE_DEPLOYER = bytes.fromhex("4210000000000000000000000000000000000002")

GAS_PRICE_ORACLE_ADDRESS = create_address(GAS_PRICE_ORACLE_DEPLOYER, 0)
"""New GasPriceOracle implementation, ``0xa919894851548179A0750865e7974DA599C0Fac7``."""

GAS_PRICE_ORACLE_CODE_HASH = bytes.fromhex("a88fa50a2745b15e6794247614b5298483070661adacb8d32d716434ed24c6b2")

INTENT_GAS_PRICE_ORACLE_DEPLOYMENT = "Fjord: Gas Price Oracle Deployment"
INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE = "Fjord: Gas Price Oracle Proxy Update"
INTENT_ENABLE_FJORD = "Fjord: Gas Price Oracle Set Fjord"

GAS_PRICE_ORACLE_DEPLOYMENT_GAS = 1_450_000
PROXY_UPDATE_GAS = 50_000
ENABLE_FJORD_GAS = 90_000

ENABLE_FJORD_INPUT = function_selector("setFjord()")
"""``0x8e98b106``."""


def fjord_upgrade_txs() -> list[DepositTx]:
    """The three Fjord upgrade deposits, in block order."""
    return [
        deployment_deposit(
            INTENT_GAS_PRICE_ORACLE_DEPLOYMENT,
            GAS_PRICE_ORACLE_DEPLOYER,
            GAS_PRICE_ORACLE_DEPLOYMENT_GAS,
            load_bytecode("fjord-gas-price-oracle-deployment"),
        ),
        proxy_update_deposit(
            INTENT_GAS_PRICE_ORACLE_PROXY_UPDATE,
            GAS_PRICE_ORACLE_PROXY,
            GAS_PRICE_ORACLE_ADDRESS,
            PROXY_UPDATE_GAS,
        ),
        gas_price_oracle_call(INTENT_ENABLE_FJORD, ENABLE_FJORD_GAS, ENABLE_FJORD_INPUT),
    ]
