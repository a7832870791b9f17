"""Spatial and regional analysis: industrial structure and complexity, zonal statistics, RSEI,
layout."""
