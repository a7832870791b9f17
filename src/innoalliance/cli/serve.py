"""``innoalliance serve``: the web platform (public pages and API, accounts, secretariat edits)
over a store, in one process or in ``--workers N`` processes.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are taken only from the reverse proxies named by
``--forwarded-allow-ips`` or ``$FORWARDED_ALLOW_IPS``; with neither, uvicorn runs with
``proxy_headers=False`` and the client is the connection's peer. (uvicorn's own default trusts
127.0.0.1, so any local client could pose as any address and reset the login limit: issue 16
item 15.)"""

from __future__ import annotations

import inspect
import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from innoalliance.cli.common import DbOption, console, handles_errors
from innoalliance.errors import InnoallianceError, MissingExtra
from innoalliance.store.engine import ENV_VAR, resolve_url

if TYPE_CHECKING:
    from fastapi import FastAPI

#: top-level modules of the ``web`` extra and what it pulls in
WEB_EXTRA = frozenset({"uvicorn", "fastapi", "starlette", "multipart", "python_multipart",
                       "httpx", "argon2", "itsdangerous", "pydantic", "anyio"})
#: seconds a worker may take to answer uvicorn's health check before it counts as hung
WORKER_HEALTHCHECK = 60
#: the application factory each worker process imports when ``--workers`` is above 1
FACTORY = "innoalliance.cli.serve:app_from_env"
#: the environment variable (uvicorn's) naming the trusted reverse proxies
PROXIES_ENV = "FORWARDED_ALLOW_IPS"


def proxy_settings(forwarded_allow_ips: str | None) -> dict[str, Any]:
    """uvicorn's proxy arguments: trust the forwarded headers of the proxies named by the
    option, else by ``$FORWARDED_ALLOW_IPS``; with neither (or empty), trust none
    (``proxy_headers=False``)."""
    allowed = (forwarded_allow_ips or os.environ.get(PROXIES_ENV, "")).strip()
    if not allowed:
        return {"proxy_headers": False, "forwarded_allow_ips": None}
    return {"proxy_headers": True, "forwarded_allow_ips": allowed}


def app_from_env() -> FastAPI:
    """The web application over the store named by ``INNOALLIANCE_DB`` (the factory of the
    worker processes of ``innoalliance serve --workers N``, which sets that variable)."""
    from innoalliance.web.app import create_app

    return create_app(resolve_url(os.environ.get(ENV_VAR)))


@handles_errors
def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(
        help="worker processes (above 1 needs INNOALLIANCE_SECRET, shared by the workers)",
        min=1, max=256)] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto "
             "headers are trusted ('*' for any); default $FORWARDED_ALLOW_IPS, and when that "
             "is unset none: the client is the connection's peer",
        show_default=False)] = None,
) -> None:
    """Serve the web platform: registry, alliance pages, map, board and the /api/v1 JSON API."""
    try:
        import uvicorn

        from innoalliance.web.app import create_app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in WEB_EXTRA:
            raise  # a broken install or a bug, not a missing extra: show it as it is
        raise MissingExtra("web", "serving the web platform") from exc
    from innoalliance.web.auth import MAKE_SECRET, SECRET_ENV, secret_from_env

    url = resolve_url(db)
    secret = secret_from_env()  # a guessable one is refused: it would let anyone forge sessions
    if secret is None:
        if workers > 1:
            raise InnoallianceError(
                f"--workers {workers} needs {SECRET_ENV}: without it each worker signs sessions "
                "with its own random secret, and a sign-in made on one worker fails on the "
                "others", hint=f"set {SECRET_ENV} to a long random value, the same for every "
                               f"worker, e.g. {MAKE_SECRET}")
        console.print(f"[yellow]warning:[/] {SECRET_ENV} is not set: sessions are signed with a "
                      "random secret and end when the server stops", highlight=False)
    shown = f" with {workers} workers" if workers > 1 else ""
    console.print(f"serving on http://{host}:{port}/{shown} (API docs at /docs); Ctrl+C stops",
                  highlight=False)
    proxies = proxy_settings(forwarded_allow_ips)
    if workers == 1:
        uvicorn.run(create_app(url), host=host, port=port, **proxies)
    else:
        os.environ[ENV_VAR] = url  # the workers are new processes: they inherit the environment
        extra: dict[str, Any] = {}
        if "timeout_worker_healthcheck" in inspect.signature(uvicorn.run).parameters:
            # a new worker imports the whole package before it first answers the supervisor's
            # health check; on a busy machine that takes longer than uvicorn's 5 s default
            extra["timeout_worker_healthcheck"] = WORKER_HEALTHCHECK
        uvicorn.run(FACTORY, factory=True, workers=workers, host=host, port=port, **proxies,
                    **extra)
