"""``innoalliance serve``: the web platform (public, read-only pages and API) over a store."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import MissingExtra
from ..store.engine import resolve_url
from .common import DbOption, console, handles_errors


@handles_errors
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web platform: registry, alliance pages, map, board and the /api/v1 JSON API."""
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as exc:
        raise MissingExtra("web", "serving the web platform") from exc
    from ..web.auth import SECRET_ENV, secret_from_env

    if secret_from_env() is None:
        console.print(f"[yellow]warning:[/] {SECRET_ENV} is not set: sessions are signed with a "
                      "random secret and end when the server stops", highlight=False)
    console.print(f"serving on http://{host}:{port}/ (API docs at /docs); Ctrl+C stops")
    uvicorn.run(create_app(resolve_url(db)), host=host, port=port)
