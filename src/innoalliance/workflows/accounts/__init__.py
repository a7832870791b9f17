"""Accounts of the web platform: users, their roles and scopes, API tokens."""
