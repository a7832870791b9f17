"""Evaluate: index systems applied to alliances, regions and members; credit ratings.

``store`` (a scored, ranked panel), ``runs`` (saved runs and reports), ``measures`` (what an
indicator reads), ``weighting`` (weights of every node), ``credit`` (members' ratings),
``files`` (the methods on a user's own files).
"""
