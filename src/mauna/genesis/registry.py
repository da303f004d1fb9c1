"""The bundled Superchain registry: every registered chain's rollup config, by name or chain id.

Spec: protocol/superchain-upgrades.md (superchain-wide upgrade coordination) and
protocol/rollup-node.md (a rollup node is configured per chain). The data is the superchain-registry
as kona bundles it (``crates/protocol/registry/etc/configs.json`` + ``chainList.json``): chains
grouped by superchain (``mainnet``, ``sepolia``, …), each with genesis, hardfork times, addresses
and EIP-1559 parameters; the chain list gives identifiers such as ``mainnet/op``.

How a registry chain becomes a :class:`RollupConfig` follows op-node's
``LoadOPStackRollupConfig`` (and kona's ``ChainConfig::as_rollup_config``): L1 chain id from the
superchain, ``regolith_time`` 0 (every registry chain had Regolith at genesis), channel timeout 300
(50 from Granite), deposit contract = ``OptimismPortalProxy``, system config = ``SystemConfigProxy``,
protocol versions / superchain config addresses from the superchain, ``chain_op_config`` from
``optimism``.

Hardfork inheritance: since superchain-registry 2.0 the superchain-wide activation times are copied
into each chain's config when the registry is generated ("what you see is what you get",
``docs/hardfork-activation-inheritance.md``), and kona applies nothing at load time; so the bundled
data is used as is. Registries in the older layout can ask for the load-time rule with
``inherit_hardforks=True`` (:func:`inherit_superchain_hardforks`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from mauna.errors import ConfigError
from mauna.genesis.hardforks import Hardfork
from mauna.genesis.rollup_config import (
    CHANNEL_TIMEOUT_BEDROCK,
    OP_MAINNET_CHAIN_OP_CONFIG,
    RollupConfig,
)
from mauna.genesis.rollup_json import (
    _address,
    _int,
    _obj,
    _opt_address,
    _opt_int,
    _require,
    alt_da_from_json,
    chain_op_config_from_json,
    detect_flavour,
    genesis_from_json,
    rollup_config_from_json,
)
from mauna.primitives.bytes import ADDRESS_ZERO

L1_CHAIN_NAMES: Mapping[int, str] = {1: "mainnet", 11155111: "sepolia", 17000: "holesky", 560048: "hoodi"}

REGISTRY_HARDFORK_FIELDS: tuple[str, ...] = (
    "regolith_time",
    "canyon_time",
    "delta_time",
    "ecotone_time",
    "fjord_time",
    "granite_time",
    "holocene_time",
    "pectra_blob_schedule_time",
    "isthmus_time",
    "jovian_time",
    "interop_time",
)


class UnknownChainError(ConfigError):
    """No chain in the registry matches a name, identifier or chain id."""


@dataclass(frozen=True, slots=True)
class ChainInfo:
    """One registry chain: its names, L1, superchain and rollup config."""

    name: str
    identifier: str
    chain_id: int
    l1_chain_id: int
    l1_name: str
    superchain: str
    rollup_config: RollupConfig
    public_rpc: str | None = None
    sequencer_rpc: str | None = None
    explorer: str | None = None
    superchain_level: int | None = None
    governed_by_optimism: bool = False
    superchain_time: int | None = None
    data_availability_type: str | None = None
    gas_paying_token: bytes | None = None
    unsafe_block_signer: bytes | None = None
    aliases: tuple[str, ...] = ()

    @property
    def short_name(self) -> str:
        """The preferred short alias (``op-mainnet``, ``base-sepolia`` …)."""
        superchain, _, short = self.identifier.partition("/")
        return f"{short}-{superchain}" if short else self.identifier

    def active_fork(self, timestamp: int) -> Hardfork:
        return self.rollup_config.active_fork(timestamp)


def slugify(text: str) -> str:
    """``"OP Sepolia Testnet"`` → ``"op-sepolia-testnet"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _normalise(text: str) -> str:
    return text.strip().lower().replace("_", "-")


def inherit_superchain_hardforks(
    chain_forks: Mapping[str, int | None],
    superchain_forks: Mapping[str, int | None],
    superchain_time: int | None,
    genesis_l2_time: int,
) -> dict[str, int | None]:
    """The superchain-registry load-time inheritance rule (registry layout before 2.0).

    A chain with ``superchain_time`` set receives every superchain-wide activation it does not set
    itself, provided the activation is at or after ``superchain_time``; activations at or before
    the chain's genesis become 0.
    """
    out = dict(chain_forks)
    if superchain_time is None:
        return out
    for name, time in superchain_forks.items():
        if time is None or out.get(name) is not None or time < superchain_time:
            continue
        out[name] = time if time > genesis_l2_time else 0
    return out


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _chain_rollup_config(
    chain: Mapping[str, Any], superchain_cfg: Mapping[str, Any], where: str, inherit_hardforks: bool
) -> RollupConfig:
    genesis = genesis_from_json(_require(chain, "genesis", where), f"{where}.genesis")
    forks_raw = chain.get("hardfork_configuration") or chain.get("hardforks") or {}
    forks_obj = _obj(forks_raw, f"{where}.hardfork_configuration")
    forks: dict[str, int | None] = {
        name: _opt_int(forks_obj.get(name), f"{where}.hardfork_configuration.{name}")
        for name in REGISTRY_HARDFORK_FIELDS
    }
    unknown = sorted(set(forks_obj) - set(REGISTRY_HARDFORK_FIELDS))
    if unknown:
        raise ConfigError(f"{where}.hardfork_configuration: unknown fields {unknown}")
    if inherit_hardforks:
        sc_forks_obj = _obj(superchain_cfg.get("hardforks") or {}, f"{where}: superchain hardforks")
        sc_forks = {
            name: _opt_int(sc_forks_obj.get(name), f"superchain hardforks.{name}")
            for name in REGISTRY_HARDFORK_FIELDS
        }
        forks = inherit_superchain_hardforks(
            forks,
            sc_forks,
            _opt_int(chain.get("SuperchainTime"), f"{where}.SuperchainTime"),
            genesis.l2_time,
        )
    if forks["regolith_time"] is None:
        forks["regolith_time"] = 0
    addresses = _obj(chain.get("Addresses") or {}, f"{where}.Addresses")
    l1 = _obj(_require(superchain_cfg, "l1", "superchain config"), "superchain config.l1")
    optimism = chain.get("optimism")
    alt_da = None if chain.get("alt_da") is None else alt_da_from_json(chain["alt_da"], f"{where}.alt_da")
    config = RollupConfig(
        genesis=genesis,
        block_time=_int(_require(chain, "block_time", where), f"{where}.block_time"),
        max_sequencer_drift=_int(chain.get("max_sequencer_drift", 0), f"{where}.max_sequencer_drift"),
        seq_window_size=_int(_require(chain, "seq_window_size", where), f"{where}.seq_window_size"),
        channel_timeout=CHANNEL_TIMEOUT_BEDROCK,
        l1_chain_id=_int(_require(l1, "chain_id", "superchain config.l1"), "superchain l1.chain_id"),
        l2_chain_id=_int(_require(chain, "l2_chain_id", where), f"{where}.l2_chain_id"),
        batch_inbox_address=_address(
            _require(chain, "batch_inbox_address", where), f"{where}.batch_inbox_address"
        ),
        deposit_contract_address=_opt_address(
            addresses.get("OptimismPortalProxy"), f"{where}.Addresses.OptimismPortalProxy"
        )
        or ADDRESS_ZERO,
        l1_system_config_address=_opt_address(
            addresses.get("SystemConfigProxy"), f"{where}.Addresses.SystemConfigProxy"
        )
        or ADDRESS_ZERO,
        protocol_versions_address=_opt_address(
            superchain_cfg.get("protocol_versions_addr"), "superchain protocol_versions_addr"
        )
        or ADDRESS_ZERO,
        superchain_config_address=_opt_address(
            superchain_cfg.get("superchain_config_addr"), "superchain superchain_config_addr"
        ),
        da_challenge_address=None if alt_da is None else alt_da.da_challenge_address,
        alt_da=alt_da,
        chain_op_config=OP_MAINNET_CHAIN_OP_CONFIG
        if optimism is None
        else chain_op_config_from_json(optimism, f"{where}.optimism"),
    )
    return config.with_hardfork_times(**forks)


@dataclass(frozen=True)
class Registry:
    """A set of chains with name/identifier/chain-id lookup."""

    chains: tuple[ChainInfo, ...]
    _by_id: dict[int, ChainInfo] = field(init=False, repr=False, compare=False)
    _by_alias: dict[str, ChainInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[int, ChainInfo] = {}
        for info in self.chains:
            if info.chain_id in by_id:
                raise ConfigError(f"registry: chain id {info.chain_id} appears twice")
            by_id[info.chain_id] = info
        candidates: dict[str, set[int]] = {}
        for info in self.chains:
            for alias in info.aliases:
                candidates.setdefault(alias, set()).add(info.chain_id)
        by_alias = {alias: by_id[next(iter(ids))] for alias, ids in candidates.items() if len(ids) == 1}
        for info in self.chains:  # full identifiers always win
            by_alias[_normalise(info.identifier)] = info
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_alias", by_alias)

    # --- construction ---------------------------------------------------------------------------
    @classmethod
    def from_json(
        cls,
        configs: Mapping[str, Any],
        chain_list: Iterable[Mapping[str, Any]] = (),
        *,
        inherit_hardforks: bool = False,
    ) -> Registry:
        """Build from the parsed ``configs.json`` and ``chainList.json``."""
        listed: dict[int, Mapping[str, Any]] = {}
        for i, entry in enumerate(chain_list):
            entry = _obj(entry, f"chainList[{i}]")
            listed[_int(_require(entry, "chainId", f"chainList[{i}]"), f"chainList[{i}].chainId")] = entry
        superchains = _require(_obj(configs, "configs.json"), "superchains", "configs.json")
        if not isinstance(superchains, list):
            raise ConfigError("configs.json: 'superchains' must be a list")
        chains: list[ChainInfo] = []
        for s_index, superchain in enumerate(superchains):
            superchain = _obj(superchain, f"superchains[{s_index}]")
            sc_name = _require(superchain, "name", f"superchains[{s_index}]")
            sc_cfg = _obj(_require(superchain, "config", f"superchain {sc_name}"), f"superchain {sc_name}")
            for c_index, chain in enumerate(superchain.get("chains") or []):
                where = f"superchain {sc_name} chain[{c_index}]"
                chain = _obj(chain, where)
                chains.append(_chain_info(chain, str(sc_name), sc_cfg, listed, where, inherit_hardforks))
        return cls(tuple(chains))

    @classmethod
    def from_dir(cls, path: str | Path, *, inherit_hardforks: bool = False) -> Registry:
        """Load ``configs.json`` (and ``chainList.json`` if present) from a directory."""
        directory = Path(path)
        configs = _read_json(directory / "configs.json")
        chain_list_path = directory / "chainList.json"
        chain_list = _read_json(chain_list_path) if chain_list_path.exists() else []
        if not isinstance(chain_list, list):
            raise ConfigError(f"{chain_list_path}: expected a JSON list")
        return cls.from_json(configs, chain_list, inherit_hardforks=inherit_hardforks)

    def merged(self, other: Registry) -> Registry:
        """This registry plus ``other``'s chains; ``other`` wins on equal chain ids."""
        replaced = {info.chain_id for info in other.chains}
        kept = tuple(info for info in self.chains if info.chain_id not in replaced)
        return Registry(kept + other.chains)

    # --- lookup ---------------------------------------------------------------------------------
    def by_chain_id(self, chain_id: int) -> ChainInfo | None:
        return self._by_id.get(chain_id)

    def find(self, name_or_id: str | int) -> ChainInfo | None:
        if isinstance(name_or_id, bool):
            return None
        if isinstance(name_or_id, int):
            return self._by_id.get(name_or_id)
        key = _normalise(str(name_or_id))
        if key.isdigit():
            return self._by_id.get(int(key))
        return self._by_alias.get(key)

    def get(self, name_or_id: str | int) -> ChainInfo:
        info = self.find(name_or_id)
        if info is None:
            raise UnknownChainError(f"unknown chain {str(name_or_id)!r}; try `mauna chains`")
        return info

    def aliases(self) -> dict[str, ChainInfo]:
        """Every unambiguous alias (lower-case) and the chain it names."""
        return dict(self._by_alias)

    def __len__(self) -> int:
        return len(self.chains)

    def __iter__(self) -> Iterator[ChainInfo]:
        return iter(self.chains)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None


def _chain_info(
    chain: Mapping[str, Any],
    superchain: str,
    sc_cfg: Mapping[str, Any],
    listed: Mapping[int, Mapping[str, Any]],
    where: str,
    inherit_hardforks: bool,
) -> ChainInfo:
    rollup = _chain_rollup_config(chain, sc_cfg, where, inherit_hardforks)
    chain_id = rollup.l2_chain_id
    entry = listed.get(chain_id, {})
    config_name = _str(chain.get("Name")) or _str(chain.get("name")) or str(chain_id)
    name = _str(entry.get("name")) or config_name
    identifier = _str(entry.get("identifier")) or f"{superchain}/{slugify(config_name)}"
    l1_chain_id = rollup.l1_chain_id
    roles = chain.get("Roles") or {}
    level = chain.get("SuperchainLevel", entry.get("superchainLevel"))
    aliases = _aliases(identifier, (name, config_name), chain_id)
    return ChainInfo(
        name=name,
        identifier=identifier,
        chain_id=chain_id,
        l1_chain_id=l1_chain_id,
        l1_name=L1_CHAIN_NAMES.get(l1_chain_id, str(l1_chain_id)),
        superchain=superchain,
        rollup_config=rollup,
        public_rpc=_str(chain.get("PublicRPC")),
        sequencer_rpc=_str(chain.get("SequencerRPC")),
        explorer=_str(chain.get("Explorer")),
        superchain_level=None if level is None else _int(level, f"{where}.SuperchainLevel", bits=8),
        governed_by_optimism=bool(chain.get("GovernedByOptimism", False)),
        superchain_time=_opt_int(chain.get("SuperchainTime"), f"{where}.SuperchainTime"),
        data_availability_type=_str(chain.get("DataAvailabilityType")),
        gas_paying_token=_opt_address(chain.get("GasPayingToken"), f"{where}.GasPayingToken"),
        unsafe_block_signer=_opt_address(
            roles.get("UnsafeBlockSigner") if isinstance(roles, Mapping) else None,
            f"{where}.Roles.UnsafeBlockSigner",
        ),
        aliases=aliases,
    )


def _aliases(identifier: str, names: Iterable[str], chain_id: int) -> tuple[str, ...]:
    """``mainnet/op`` → ``mainnet/op``, ``op-mainnet``, ``op`` (mainnet only), slugs of the names."""
    out: list[str] = [_normalise(identifier)]
    superchain, _, short = identifier.partition("/")
    if short:
        out.append(_normalise(f"{short}-{superchain}"))
        if superchain == "mainnet":
            out.append(_normalise(short))
    out.extend(slugify(name) for name in names if slugify(name))
    out.append(str(chain_id))
    return tuple(dict.fromkeys(out))


# --- module-level API -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The bundled registry (``mauna/genesis/data/configs.json`` + ``chainList.json``)."""
    data = resources.files("mauna.genesis").joinpath("data")
    try:
        configs = json.loads(data.joinpath("configs.json").read_text(encoding="utf-8"))
        chain_list = json.loads(data.joinpath("chainList.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"bundled superchain registry unreadable: {exc}") from None
    return Registry.from_json(configs, chain_list)


def list_chains(registry: Registry | None = None) -> list[ChainInfo]:
    """Every chain, sorted by superchain (mainnet first) then chain id."""
    reg = registry or default_registry()
    order = {"mainnet": 0, "sepolia": 1}
    return sorted(reg.chains, key=lambda c: (order.get(c.superchain, 2), c.superchain, c.chain_id))


def load_chain(name_or_id: str | int, registry: Registry | None = None) -> ChainInfo:
    """A chain by chain id (``11155420`` or ``"11155420"``), identifier (``sepolia/op``) or alias
    (``op-mainnet``, ``base``, ``op-sepolia``, ``base-sepolia``, ``unichain`` …).

    Raises :class:`UnknownChainError` (a :class:`ConfigError`) when nothing matches.
    """
    return (registry or default_registry()).get(name_or_id)


def load_rollup_config(path: str | Path) -> RollupConfig:
    """Read a ``rollup.json`` file (op-node or kona flavour)."""
    data = _read_json(Path(path))
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: expected a JSON object")
    return rollup_config_from_json(data, detect_flavour(data))


def load_registry_dir(path: str | Path, *, merge: bool = True) -> Registry:
    """A custom registry directory (same schema), merged over the bundled one unless ``merge=False``."""
    custom = Registry.from_dir(path)
    return default_registry().merged(custom) if merge else custom


__all__ = [
    "L1_CHAIN_NAMES",
    "ChainInfo",
    "Registry",
    "UnknownChainError",
    "default_registry",
    "inherit_superchain_hardforks",
    "list_chains",
    "load_chain",
    "load_registry_dir",
    "load_rollup_config",
    "slugify",
]
