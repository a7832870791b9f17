"""Readers, validation, units and export of every kind of record."""
