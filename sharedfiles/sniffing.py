"""What an uploaded file really is, found from its content, never from its name.

Only documents and pictures people share about someone's care are allowed: PDF, plain text
and CSV, Word and OpenDocument text, Excel and OpenDocument spreadsheets, PNG, JPEG, GIF and
WebP. `puremagic` reads the content's signature; office documents, which are ZIP containers,
are opened to check they are the document they look like (and carry no macros); text has no
signature, so it must decode as UTF-8 without control characters or markup. Anything else —
a program renamed `.pdf`, an SVG or HTML page that could run script, an archive — is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import puremagic

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TEXT = "text/plain"
CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# Each allowed type: the extension a download is given, and how pages name it.
ALLOWED: dict[str, tuple[str, str]] = {
    PDF: (".pdf", "PDF"),
    PNG: (".png", "PNG image"),
    JPEG: (".jpg", "JPEG image"),
    GIF: (".gif", "GIF image"),
    WEBP: (".webp", "WebP image"),
    TEXT: (".txt", "Text"),
    CSV: (".csv", "CSV spreadsheet"),
    DOCX: (".docx", "Word document"),
    XLSX: (".xlsx", "Excel spreadsheet"),
    ODT: (".odt", "OpenDocument text"),
    ODS: (".ods", "OpenDocument spreadsheet"),
}
# Types with a signature puremagic knows that are allowed as they are.
SIGNED = {PDF, PNG, JPEG, GIF, WEBP}
ZIP_SIGNATURE = b"PK\x03\x04"
OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
ODF_TYPES = {ODT, ODS}
# Markup a browser (or an SVG viewer) might run: never "text".
MARKUP = re.compile(rb"<\s*(\?xml|!doctype|html|svg|script|iframe|object|embed)|javascript:", re.I)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
ALLOWED_NAMES = "PDF, text, CSV, Word, Excel, OpenDocument, PNG, JPEG, GIF or WebP"


class NotAllowed(ValueError):
    """The content is not one of the allowed types; the message says so plainly."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str


def _office_type(content: bytes) -> str | None:
    """A ZIP container that is a Word, Excel or OpenDocument file without macros, or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES and "content.xml" in names else None
            if "[Content_Types].xml" in names:
                found = [kind for part, kind in OOXML_MAIN_PARTS.items() if part in names]
                return found[0] if len(found) == 1 else None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError):
        return None
    return None


def _text_type(content: bytes, name: str) -> str | None:
    """Plain text or CSV: UTF-8 without control characters or markup. Text has no signature,
    so the name only tells a CSV from other text; both are served as downloads alike."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if CONTROL.search(text) or MARKUP.search(content):
        return None
    return CSV if PurePath(name).suffix.lower() == ".csv" else TEXT


def sniff(content: bytes, *, name: str = "") -> Sniffed:
    """Finds what the content is, or raises NotAllowed. `name` never makes content allowed."""
    if not content:
        raise NotAllowed("The selected file is empty")
    if content.startswith(ZIP_SIGNATURE):
        office = _office_type(content)
        if office is None:
            raise NotAllowed(f"The selected file must be a {ALLOWED_NAMES} file")
        return Sniffed(office)
    try:
        matches = puremagic.magic_string(content)
    except puremagic.PureError:
        matches = []
    if matches:
        best = max(match.confidence for match in matches)
        top = {match.mime_type for match in matches if match.confidence == best}
        allowed = top & SIGNED
        if allowed:
            return Sniffed(sorted(allowed)[0])
    found = _text_type(content, name) if not matches else None
    if found is None:
        raise NotAllowed(f"The selected file must be a {ALLOWED_NAMES} file")
    return Sniffed(found)


def sniff_upload(upload: IO[bytes], *, name: str = "") -> Sniffed:
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return sniff(content, name=name)


SAFE_NAME = re.compile(r"[^A-Za-z0-9 ._()-]+")


def download_name(original_name: str, content_type: str) -> str:
    """The name a download is saved as: the uploaded name, tamed, with the extension of
    what the content is (a PNG uploaded as `list.pdf` is saved as `list.png`)."""
    stem = SAFE_NAME.sub("-", PurePath(original_name or "file").stem).strip(" .-")[:100]
    extension = ALLOWED.get(content_type, (".bin", ""))[0]
    return f"{stem or 'file'}{extension}"


def kind_label(content_type: str) -> str:
    return ALLOWED.get(content_type, ("", "File"))[1]
