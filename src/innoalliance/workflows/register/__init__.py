"""Register: import, validate, keep and export the record (alliances, members, ledger, statistics,
layers)."""
