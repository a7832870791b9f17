"""Evaluate: index systems applied to alliances, regions and members; credit ratings."""
