"""Precompiles the client leaves to the host (fault-proof/index.md "Precompile Key").

Inside a fault-proof VM every instruction is proven, so a pairing check or KZG point evaluation
run by the client would cost millions of steps. Like kona's and op-program's clients, the client
charges the gas itself and asks the host for the result: an ``l1-precompile-v2`` hint carrying
``address ‖ uint64(required gas) ‖ input``, then the pre-image of the precompile key over the same
bytes, ``status ‖ output``. The host runs the precompile natively
(:meth:`mauna.proof.host.fetcher.OnlineFetcher.l1_precompile_v2`); on chain, the PreimageOracle
contract computes the same pre-image when a step needs it, so the host cannot lie about it.
"""

from __future__ import annotations

from mauna.preimage.hints import Hinter, HintType, precompile_hint_data
from mauna.preimage.keys import precompile_key
from mauna.preimage.oracle import PreimageOracle


class OraclePrecompiles:
    """A :class:`~mauna.executor.precompiles.PrecompileAccelerator` over the pre-image oracle."""

    def __init__(self, oracle: PreimageOracle, hinter: Hinter) -> None:
        self.oracle = oracle
        self.hinter = hinter
        self.calls = 0

    def run_precompile(self, address: bytes, required_gas: int, input_data: bytes) -> bytes:
        self.calls += 1
        self.hinter.hint(HintType.L1_PRECOMPILE_V2, precompile_hint_data(address, input_data, required_gas))
        return self.oracle.get(precompile_key(address, input_data, required_gas))


__all__ = ["OraclePrecompiles"]
