"""Govern: the alliance life cycle, charters, enforcement, funding, policies and supervision.

``lifecycle`` (the state machine and its log), ``charter`` (charters in the store),
``enforcement`` (commitments against the charter), ``funding`` (capital channels),
``policies`` (which measures apply), ``supervision`` (the annual report), ``overview`` (the
regional overview).
"""
