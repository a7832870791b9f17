"""Govern: the life cycle, charters, enforcement, funding, policies and supervision."""
