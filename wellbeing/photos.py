"""Photos people attach to an update: checked to be a picture, made smaller, and re-encoded
so that nothing of the original file but its pixels is kept (no EXIF, no GPS position, no
comments, no colour-profile fingerprint), then stored through Django's storage API.

A file is a photo when Pillow recognises its content as one of a few raster formats, whatever
its name or declared type says: an SVG (which can carry script), a PDF or a program renamed
``.jpg`` is refused. Every check is made before anything is stored.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_FIELD = "photos"
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Far above any phone camera; refuses "decompression bombs" before their pixels are read.
PIXELS_MAX = 60_000_000
THUMBNAIL_SIDE = 400
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: the resized picture and its thumbnail, both plain JPEG."""

    full: bytes
    thumbnail: bytes
    width: int
    height: int


def photo_storage() -> Storage:
    return storages["wellbeing_photos"]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _refuse(message: str) -> ValidationError:
    return ValidationError({PHOTO_FIELD: [message]})


def _encode(image: Image.Image) -> bytes:
    """A fresh JPEG of the pixels alone: nothing from the original's metadata is passed on."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _pixels_only(image: Image.Image) -> Image.Image:
    """The picture turned the way the camera meant (its EXIF orientation), on a new image
    that carries no `info` from the file, flattened onto white where it was transparent."""
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    clean = Image.new("RGB", upright.size)
    clean.paste(upright.convert("RGB"))
    return clean


def photo_clean(upload: UploadedFile) -> CleanPhoto:
    """Checks one upload is a photo of an accepted size and makes the copies that are kept.

    Raises a ValidationError naming the `photos` field, in words the user can act on.
    """
    name = upload.name or "The file"
    limit = settings.WELLBEING_PHOTO_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise _refuse(f"{name} is too big: a photo must be smaller than {_megabytes(limit)}")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                found_format = probe.format
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                if image.width * image.height > PIXELS_MAX:
                    raise _refuse(f"{name} has too many pixels: use a smaller photo")
                image.load()
                clean = _pixels_only(image)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise _refuse(f"{name} is not a photo: choose a JPEG, PNG, WebP or GIF picture") from error
    if found_format not in ACCEPTED_FORMATS:
        raise _refuse(f"{name} is not a photo: choose a JPEG, PNG, WebP or GIF picture")
    side = settings.WELLBEING_PHOTO_MAX_SIDE
    clean.thumbnail((side, side), Image.Resampling.LANCZOS)
    thumbnail = clean.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return CleanPhoto(
        full=_encode(clean), thumbnail=_encode(thumbnail), width=clean.width, height=clean.height
    )


def photos_clean(uploads: list[UploadedFile]) -> list[CleanPhoto]:
    """Every photo of one update, checked before any is stored."""
    most = settings.WELLBEING_PHOTOS_PER_UPDATE
    if len(uploads) > most:
        raise _refuse(f"Choose at most {most} photos for one update")
    return [photo_clean(upload) for upload in uploads]


def photo_files_store(photo: CleanPhoto, *, network_id: int) -> tuple[str, str]:
    """Stores both copies under unguessable names; returns (full name, thumbnail name)."""
    storage = photo_storage()
    stem = f"{network_id}/{uuid.uuid4().hex}"
    full = storage.save(f"{stem}.jpg", ContentFile(photo.full))
    thumbnail = storage.save(f"{stem}-thumb.jpg", ContentFile(photo.thumbnail))
    return full, thumbnail


def photo_files_delete(names: list[str]) -> None:
    storage = photo_storage()
    for name in names:
        storage.delete(name)
