"""Where an uploaded file may be written: directly inside the uploads folder, nowhere else.

A browser sends whatever file name the user's system had, or an attacker typed:
``../../.bashrc``, ``/etc/passwd``, ``C:\\x\\y.txt``, names with control characters or
hundreds of bytes long. Only the last component survives, cleaned, and the result is
checked to lie inside the folder, so no name can write outside it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path, PurePath

from bot.errors import UploadError
from corpus.formats import format_of

logger = logging.getLogger(__name__)

# Most file systems' limit for one name, in bytes.
MAX_NAME_BYTES = 255
MAX_UPLOAD_BYTES = 64 << 20
# The stem given to a name that is only dots and a type ("...txt").
UNNAMED = "upload"
# Characters Windows forbids in names (uploads may be copied there) and control ones.
_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f-\x9f\ud800-\udfff]')
# Bidi overrides make "gpj.exe" display as "exe.jpg".
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def safe_upload_path(uploads_dir: Path, filename: str) -> Path:
    """The path to store an upload sent as ``filename``: always directly in ``uploads_dir``.

    The name is reduced to its last component (``/`` and ``\\`` both separate), NFC
    normalised, stripped of control, bidi-override and Windows-reserved characters and of
    leading dots (no hidden files, no ``..``), and cut to 255 bytes keeping its suffix.
    Raises UploadError when nothing usable is left or the place is a symbolic link.
    The same name always gives the same path: uploading a file again replaces it.
    """
    name = _clean_name(filename)
    root = uploads_dir.resolve()
    target = root / name
    if target.parent != root or target.is_symlink():
        raise UploadError(f"{filename!r}: not a file name polyqa can store")
    return target


def _clean_name(filename: str) -> str:
    last = re.split(r"[\\/]", str(filename))[-1]
    last = re.sub(r"^[A-Za-z]:", "", last)  # "C:report.txt"
    name = _BIDI.sub("", _FORBIDDEN.sub("_", unicodedata.normalize("NFC", last))).strip()
    suffix = PurePath(name).suffix if name.strip("._ ") else ""
    stem = name[: len(name) - len(suffix)].lstrip(".").strip()
    if not stem and suffix:
        stem = UNNAMED  # "...txt": the type is all there is of the name
    name = stem + suffix
    if not name.strip("._ "):
        raise UploadError(f"{filename!r}: not a file name polyqa can store")
    return _shorten(name)


def _shorten(name: str) -> str:
    """At most MAX_NAME_BYTES of UTF-8, cut in the stem so the suffix (the type) stays."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    suffix = Path(name).suffix if len(Path(name).suffix) <= 16 else ""
    stem = name[: len(name) - len(suffix)]
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return stem + suffix


def store_upload(
    uploads_dir: Path, filename: str, source: Path, max_bytes: int = MAX_UPLOAD_BYTES
) -> Path:
    """Copy ``source`` (e.g. Gradio's temporary file) to ``safe_upload_path``, atomically.

    Refuses types polyqa does not read (DocumentError) and files over ``max_bytes``
    (UploadError) before writing anything; the copy goes to a hidden temporary file in
    the folder (never indexed) and is renamed into place, so a half-written upload is
    never read.
    """
    target = safe_upload_path(uploads_dir, filename)
    format_of(target)
    size = source.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{target.name}: {size >> 20} MB, over the {max_bytes >> 20} MB limit")
    try:
        uploads_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    except OSError as exc:
        raise UploadError(f"{target.name}: cannot be stored ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:  # disk full, gone, read-only: one line, nothing left behind
        Path(tmp).unlink(missing_ok=True)
        raise UploadError(f"{target.name}: cannot be stored ({exc.strerror or exc})") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("stored upload %s (%d bytes)", target, size)
    return target


def discard_temporary(path: Path, temp_root: Path) -> None:
    """Remove a file the web framework wrote for an upload (and its folder, if that is
    left empty), once the upload is stored or refused; only inside ``temp_root``, so a
    path given by a caller outside it is never deleted."""
    try:
        path = path.resolve()
        root = temp_root.resolve()
    except OSError:
        return
    if not path.is_relative_to(root) or path == root:
        return
    try:
        path.unlink(missing_ok=True)
        if path.parent != root:
            path.parent.rmdir()
    except OSError:
        pass  # another upload of the same content still uses the folder
