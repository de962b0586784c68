"""Identity and sessions: real-name accounts, registry adapters, tokens, roles, field encryption."""
