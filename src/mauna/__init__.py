"""mauna: the OP Stack consensus stack in Python.

Layers (imports only point downward): primitives → genesis → protocol → mpt → executor → derive →
providers → preimage → proof → cli.
"""

__version__ = "0.1.0"
