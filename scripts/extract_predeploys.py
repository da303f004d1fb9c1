"""Extract the deployed bytecode of the OP predeploys used by the offline fault-proof case.

Usage (once; the hex files are committed under tests/fixtures/proof/predeploys/):

    npm install --no-save --no-audit --no-fund --prefix /tmp/cb @eth-optimism/contracts-bedrock@0.17.3
    .venv/bin/python scripts/extract_predeploys.py /tmp/cb/node_modules/@eth-optimism/contracts-bedrock

Each ``<Name>.hex`` holds ``forge-artifacts/<Name>.sol/<Name>.json`` → ``deployedBytecode.object``
(lower-case hex, no ``0x``). Immutable references stay zero-filled, as in the artifact.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CONTRACTS = (
    "L1Block",
    "L2ToL1MessagePasser",
    "GasPriceOracle",
    "SequencerFeeVault",
    "BaseFeeVault",
    "L1FeeVault",
    "Proxy",
)
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "proof" / "predeploys"


def main(package_dir: str) -> None:
    root = Path(package_dir) / "forge-artifacts"
    OUT.mkdir(parents=True, exist_ok=True)
    for name in CONTRACTS:
        artifact = json.loads((root / f"{name}.sol" / f"{name}.json").read_text())
        code = artifact["deployedBytecode"]["object"].removeprefix("0x").lower()
        (OUT / f"{name}.hex").write_text(code + "\n")
        print(f"{name}: {len(code) // 2} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: extract_predeploys.py <path to @eth-optimism/contracts-bedrock>")
    main(sys.argv[1])
