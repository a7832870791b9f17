"""Workflows: read the store, call the methods, write results; one wing per capability.

Each wing uses the same names for the same roles: ``store`` computes on the store, ``runs``
saves a run and writes its reports, ``files`` is the standalone form on a user's own files.
What every wing shares (who is acting, saving a run, writing reports) is in ``common``.

* ``register`` — the record: imports, exports, reads, layers, records kept on the web, returns
* ``plan`` — regional diagnosis and the layout of alliances over cities
* ``evaluate`` — index systems applied to alliances, regions and members; credit ratings
* ``share`` — profit, cost and risk sharing, and the record of agreed allocations
* ``match`` — knowledge-transfer matching and partner recommendation
* ``govern`` — life cycle, charters, enforcement, funding, policies, supervision
* ``accounts`` — users of the web platform and their API tokens
"""
