"""Files uploaded through a form and imported: refused when too large or of an unknown type,
else written under their own name (the name every problem quotes) to a temporary folder and
imported from there; every user mistake comes back as problems, never as an error page."""

import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from innoalliance.errors import InnoallianceError, Problem, ValidationError
from innoalliance.ingest.readers import TABLE_SUFFIXES
from innoalliance.ingest.writer import ImportResult

MAX_UPLOAD = 20 * 1024 * 1024
#: the longest file name taken, in characters (and at most this many bytes in UTF-8 + 40: file
#: systems allow 255 bytes)
MAX_NAME = 200
MAX_NAME_BYTES = 240


def form_file(request: Request, field: str = "file") -> UploadFile:
    """The file uploaded as ``field`` of the form :func:`~innoalliance.web.context.check_csrf`
    read (after the access check), or 422 as FastAPI answers a missing field."""
    form = getattr(request.state, "form", None)
    found = form.get(field) if form is not None else None
    if not isinstance(found, UploadFile):
        raise RequestValidationError([{"type": "missing", "loc": ("body", field),
                                       "msg": "Field required", "input": None}])
    return found


def problems_of(exc: InnoallianceError, where: str = "form") -> list[Problem]:
    """The problems of a validation error, or the error itself as one problem of ``where``."""
    if isinstance(exc, ValidationError):
        return list(exc.problems)
    hint = f" ({exc.hint})" if exc.hint else ""
    return [Problem(where, None, None, None, exc.message + hint)]


async def import_upload(file: UploadFile, importer: Callable[[Path], ImportResult],
                        ) -> tuple[ImportResult | None, list[Problem]]:
    """``importer`` run (in a worker thread) on the uploaded file: its result, or the problems."""
    name = Path(file.filename or "upload.csv").name or "upload.csv"
    data = await file.read(MAX_UPLOAD + 1)

    def run() -> tuple[ImportResult | None, list[Problem]]:
        if len(data) > MAX_UPLOAD:
            return None, [Problem(name, None, None, None, f"larger than {MAX_UPLOAD // 2**20} "
                                  "MB; split the file or use: innoalliance import")]
        if len(name) > MAX_NAME or len(name.encode()) > MAX_NAME_BYTES:
            return None, [Problem(name[:MAX_NAME] + "…", None, None, None,
                                  f"file name longer than {MAX_NAME} characters; rename the "
                                  "file")]
        if Path(name).suffix.lower() not in TABLE_SUFFIXES:
            return None, [Problem(name, None, None, None, "unknown file type; use one of "
                                  f"{', '.join(TABLE_SUFFIXES)}")]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            try:
                return importer(path), []
            except InnoallianceError as exc:
                return None, problems_of(exc, name)

    return await run_in_threadpool(run)
