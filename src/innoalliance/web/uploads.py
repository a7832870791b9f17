"""Files uploaded through a form and imported: refused when too large or of an unknown type,
else written under their own name (the name every problem quotes) to a temporary folder and
imported from there; every user mistake comes back as problems, never as an error page."""

import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi import UploadFile
from starlette.concurrency import run_in_threadpool

from innoalliance.errors import InnoallianceError, Problem, ValidationError
from innoalliance.ingest.readers import TABLE_SUFFIXES
from innoalliance.ingest.writer import ImportResult

MAX_UPLOAD = 20 * 1024 * 1024


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
