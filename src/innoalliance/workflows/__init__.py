"""Workflows: read the store, call methods, write results."""
