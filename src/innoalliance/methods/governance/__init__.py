"""Governance arithmetic: charter enforcement and funding indicators."""
