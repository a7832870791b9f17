"""Share: profit, cost and risk sharing from the ledger, and the record of agreed allocations."""
