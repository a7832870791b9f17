"""The demo dataset built from the seed papers, and its loader."""
