"""Building blocks shared by every fork's network-upgrade transactions.

Spec: protocol/deposits.md, "Upgrade-deposited" source hashes, and the "Network upgrade automation
transactions" sections of protocol/ecotone/derivation.md, protocol/fjord/derivation.md,
protocol/isthmus/derivation.md and protocol/jovian/derivation.md: every upgrade transaction is a
deposit with ``mint = 0``, ``value = 0``, ``isSystemTx = false`` and a source hash derived from an
intent string.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from mauna.errors import ProtocolError
from mauna.primitives.bytes import keccak256
from mauna.primitives.rlp_utils import int_bytes, rlp_encode
from mauna.protocol.deposits import DepositTx, upgrade_deposit_source_hash

ZERO_ADDRESS = b"\x00" * 20
# The L1-attributes depositor account (protocol/deposits.md, "L1 Attributes Deposited Transaction").
DEPOSITOR_ACCOUNT = bytes.fromhex("deaddeaddeaddeaddeaddeaddeaddeaddead0001")

# Predeploy proxies (protocol/predeploys.md).
L1_BLOCK_PROXY = bytes.fromhex("4200000000000000000000000000000000000015")
GAS_PRICE_ORACLE_PROXY = bytes.fromhex("420000000000000000000000000000000000000f")
OPERATOR_FEE_VAULT_PROXY = bytes.fromhex("420000000000000000000000000000000000001b")

# ``bytes4(keccak256("upgradeTo(address)"))``: the ERC-1967 proxy's implementation setter.
UPGRADE_TO_SELECTOR = bytes.fromhex("3659cfe6")

_BYTECODE_PACKAGE = "mauna.protocol.upgrades"


class UpgradeDataError(ProtocolError):
    """Network-upgrade data shipped with the package is missing or malformed."""


def function_selector(signature: str) -> bytes:
    """``bytes4(keccak256(signature))``, e.g. ``function_selector("setEcotone()")``."""
    return keccak256(signature.encode("ascii"))[:4]


def create_address(sender: bytes, nonce: int) -> bytes:
    """Address of a contract created by ``sender`` at ``nonce``: ``keccak256(rlp([sender, nonce]))[12:]``."""
    if len(sender) != 20:
        raise UpgradeDataError(f"create address: sender has {len(sender)} bytes, expected 20")
    return keccak256(rlp_encode([sender, int_bytes(nonce)]))[12:]


def upgrade_to_calldata(implementation: bytes) -> bytes:
    """Calldata of ``upgradeTo(address implementation)``: selector ‖ address left-padded to 32 bytes."""
    if len(implementation) != 20:
        raise UpgradeDataError(f"upgradeTo: address has {len(implementation)} bytes, expected 20")
    return UPGRADE_TO_SELECTOR + b"\x00" * 12 + implementation


@cache
def load_bytecode(name: str) -> bytes:
    """Deployment bytecode ``bytecode/<name>.hex`` shipped in this package (hex text, no ``0x``)."""
    resource = resources.files(_BYTECODE_PACKAGE).joinpath("bytecode", f"{name}.hex")
    try:
        text = resource.read_text(encoding="ascii")
    except (FileNotFoundError, OSError) as exc:
        raise UpgradeDataError(f"upgrade bytecode {name!r} is not installed: {exc}") from exc
    try:
        code = bytes.fromhex(text.strip().removeprefix("0x"))
    except ValueError as exc:
        raise UpgradeDataError(f"upgrade bytecode {name!r} is not valid hex: {exc}") from exc
    if not code:
        raise UpgradeDataError(f"upgrade bytecode {name!r} is empty")
    return code


def upgrade_deposit(intent: str, from_: bytes, to: bytes | None, gas: int, data: bytes) -> DepositTx:
    """An upgrade deposit: source hash from ``intent``, no mint, no value, not a system transaction."""
    return DepositTx(
        source_hash=upgrade_deposit_source_hash(intent),
        from_=from_,
        to=to,
        mint=0,
        value=0,
        gas=gas,
        is_system_tx=False,
        data=data,
    )


def deployment_deposit(intent: str, deployer: bytes, gas: int, code: bytes) -> DepositTx:
    """An upgrade deposit deploying ``code`` from ``deployer`` (a contract creation, no ``to``)."""
    return upgrade_deposit(intent, deployer, None, gas, code)


def proxy_update_deposit(intent: str, proxy: bytes, implementation: bytes, gas: int) -> DepositTx:
    """An upgrade deposit from the zero address calling ``proxy.upgradeTo(implementation)``."""
    return upgrade_deposit(intent, ZERO_ADDRESS, proxy, gas, upgrade_to_calldata(implementation))


def gas_price_oracle_call(intent: str, gas: int, calldata: bytes) -> DepositTx:
    """An upgrade deposit from the depositor account calling the GasPriceOracle proxy (``setEcotone()``…)."""
    return upgrade_deposit(intent, DEPOSITOR_ACCOUNT, GAS_PRICE_ORACLE_PROXY, gas, calldata)
