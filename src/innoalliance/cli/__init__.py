"""The `innoalliance` command line."""
