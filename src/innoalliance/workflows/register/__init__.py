"""Register: the one record of alliances, members, ledger, statistics and layers.

``imports`` (files into the store, all-or-nothing), ``export`` (back to files), ``query`` (list
and show), ``ledger`` (the ledger read into typed frames), ``layers`` (boundaries and rasters),
``records`` (records kept on the web, scoped and versioned), ``returns`` (annual returns),
``setup`` (create or migrate a store, load the catalogues).
"""
