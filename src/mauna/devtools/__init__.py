"""Development tools: local test chains (anvil) for the online-provider tests."""
