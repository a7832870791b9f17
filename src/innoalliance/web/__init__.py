"""The web platform: a thin FastAPI shell over the workflows (public, read-only pages and API)."""
