"""Cooperative games: game forms, Shapley and Banzhaf values, nucleolus, claims rules,
bargaining."""
