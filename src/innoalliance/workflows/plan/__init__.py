"""Plan: regional diagnosis and the optimal layout of alliances over cities.

``store`` (diagnosis and layout of a region set), ``runs`` (saved runs and reports), ``regions``
(what the store holds for a region set), ``files`` (structure and layout on a user's tables),
``zonal_files`` (zonal statistics and RSEI on a user's zones and rasters).
"""
