"""Share: profit, cost and risk sharing from the ledger, and the record of agreed allocations.

``store`` (games and rules side by side), ``runs`` (the one dispatch by kind, saved runs,
reports, recording), ``allocations`` (the hash-chained record), ``files`` (games on files).
"""
