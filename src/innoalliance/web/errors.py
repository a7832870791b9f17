"""The errors the web answers with, and the one JSON shape of every error body of the API.

Every JSON error body is :func:`error_response` of an :class:`~innoalliance.errors.
InnoallianceError`: its :meth:`~innoalliance.errors.InnoallianceError.as_dict`, i.e. ``error``
(the class name), ``message`` and ``hint``, plus what the kind of error carries more:

==========================  ======  ====================================================
error                       status  keys beyond ``error``, ``message``, ``hint``
==========================  ======  ====================================================
LoginRequired               401     (none)
Forbidden                   403     (none)
UnknownReference            404     ``suggestion`` (the closest known name, or null)
HTTPException               4xx     (none): unknown path, method not allowed, ...
VersionConflict             409     ``problems`` (empty), ``version``, ``actor``, ``at``
ConflictError               409     (none): another write came first (e.g. the ledger's head)
ValidationError             422     ``problems`` (row, column, value, rule, suggestion)
ValidationError (request)   422     ``problems`` and FastAPI's ``detail``
any other user error        422     (none, or as its class adds)
StoreError                  503     (none)
==========================  ======  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from innoalliance.errors import InnoallianceError, Problem, ValidationError
from innoalliance.web.i18n import Lang, translator

LOGIN_MESSAGE = "sign in, or send Authorization: Bearer TOKEN"


class LoginRequired(InnoallianceError):
    """No (valid) session or token: pages redirect to /login, the API answers 401."""

    def __init__(self) -> None:
        super().__init__(LOGIN_MESSAGE)


class Forbidden(InnoallianceError):
    """Signed in, but this user may not do this (403); ``key`` labels the reason, and the
    message is its label in English until :meth:`in_language` says otherwise."""

    def __init__(self, key: str = "forbidden_message", message: str | None = None) -> None:
        super().__init__(message or translator("en")(key))
        self.key = key

    def in_language(self, lang: Lang) -> Forbidden:
        """The same refusal, its message in ``lang``."""
        return Forbidden(self.key, translator(lang)(self.key))


class HTTPException(InnoallianceError):
    """A refusal of the framework itself (no such path, method not allowed, ...), named as
    Starlette's exception that it stands for."""


class InvalidRequest(ValidationError):
    """A path, query or body value the API does not take (FastAPI's validation, or a NUL): a
    :class:`~innoalliance.errors.ValidationError` whose problems are the request's values; its
    body keeps ``error: "ValidationError"`` and FastAPI's list of errors as ``detail``."""

    def __init__(self, errors: Sequence[Any]) -> None:
        self.detail = list(errors)
        super().__init__([_problem(e) for e in self.detail], message=_message(self.detail))
        self.hint = None  # the message names each value and what it must be

    def as_dict(self) -> dict[str, object]:
        """The ValidationError's shape, plus ``detail``."""
        return {**super().as_dict(), "error": "ValidationError",
                "detail": jsonable_encoder(self.detail)}


def _where(error: Mapping[str, Any]) -> str:
    return ".".join(str(x) for x in error.get("loc", ()) if x not in ("query", "path"))


def _problem(error: Mapping[str, Any]) -> Problem:
    got = error.get("input")
    value = str(got) if isinstance(got, str | int | float) else None
    return Problem("request", None, _where(error) or None, value, str(error.get("msg", "invalid")))


def _message(errors: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for error in errors:
        got = error.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int) else ""
        parts.append(f"{_where(error)}: {error.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "invalid request"


def error_response(exc: InnoallianceError, status: int,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The JSON answer to ``exc``: its :meth:`~innoalliance.errors.InnoallianceError.as_dict`
    with ``status`` (the one place an error body of the API is made)."""
    return JSONResponse(jsonable_encoder(exc.as_dict()), status_code=status,
                        headers=dict(headers) if headers else None)
