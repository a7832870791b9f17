"""Matching: text relevance, neighbours, fit, stable matching and assignment."""
