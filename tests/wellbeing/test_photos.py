"""Photos: what is not a photo, or too big, is refused naming the field and leaves nothing
behind (no update, no photo row, no stored file), on the page and through the API; what is
served has no metadata left, the GPS position least of all.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from caregraph.models import MemberKind
from tests.networks import member_add, network_create
from tests.wellbeing.conftest import stored_files
from tests.wellbeing.world import jpeg_bytes, signed_in
from wellbeing.models import WellbeingPhoto, WellbeingUpdate

pytestmark = pytest.mark.django_db

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)
# The start of a Linux program: not a picture, whatever its name says.
NOT_AN_IMAGE = b"\x7fELF\x02\x01\x01\x00" + os.urandom(2048)


def gps_jpeg() -> bytes:
    """A photo from a phone that says where it was taken, and on what."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TellTaleCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    content = jpeg_bytes(size=(2400, 1200), exif=exif.tobytes())
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return content


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def family_and_network():  # type: ignore[no-untyped-def]
    network = network_create()
    family = member_add(network, kind=MemberKind.FAMILY).user
    return network, family


def _nothing_kept(photo_dir: Path) -> None:
    assert WellbeingUpdate.objects.count() == 0
    assert WellbeingPhoto.objects.count() == 0
    assert stored_files(photo_dir) == []


REFUSED = {
    "renamed_program": ("mum.jpg", NOT_AN_IMAGE, "is not a photo"),
    "svg_with_script": ("smile.jpg", SVG_WITH_SCRIPT, "is not a photo"),
    "oversized": ("big.jpg", None, "is too big"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_upload_is_refused_naming_the_field_and_leaves_nothing(
    case: str, family_and_network: Any, photo_dir: Path, settings: Any
) -> None:
    network, family = family_and_network
    settings.WELLBEING_PHOTO_MAX_BYTES = 50_000
    name, content, words = REFUSED[case]
    content = content or noisy_jpeg()
    assert case != "oversized" or len(content) > settings.WELLBEING_PHOTO_MAX_BYTES
    client = signed_in(family)

    # The page, without JavaScript: the form again, the error beside the photos field.
    page = client.post(
        f"/networks/{network.pk}/updates/",
        {
            "text": "Mum had a good morning",
            "visibility": "network",
            "photos": [
                SimpleUploadedFile("fine.jpg", jpeg_bytes(), "image/jpeg"),
                SimpleUploadedFile(name, content, "image/jpeg"),
            ],
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_photos-error"' in html and f"{name} {words}" in html
    assert "govuk-error-summary" in html and 'href="#id_photos"' in html
    _nothing_kept(photo_dir)

    # The API: 400 in the one error shape, keyed by the field.
    api = client.post(
        f"/api/v1/networks/{network.pk}/updates/",
        {"text": "Mum had a good morning", "photos": [SimpleUploadedFile(name, content)]},
        headers={"Idempotency-Key": f"refused-{case}"},
    )
    assert api.status_code == 400
    assert list(api.json()["errors"]) == ["photos"]
    assert words in api.json()["errors"]["photos"][0]
    _nothing_kept(photo_dir)


def test_a_photo_is_served_resized_without_any_metadata(
    family_and_network: Any, photo_dir: Path
) -> None:
    network, family = family_and_network
    client = signed_in(family)
    posted = client.post(
        f"/api/v1/networks/{network.pk}/updates/",
        {"text": "Out in the garden", "photos": [SimpleUploadedFile("garden.jpg", gps_jpeg())]},
        headers={"Idempotency-Key": "garden-1"},
    )
    assert posted.status_code == 201, posted.content
    photo = posted.json()["photos"][0]
    assert (photo["width"], photo["height"]) == (1600, 800)

    served = [
        client.get(photo["full_url"]),
        client.get(photo["thumbnail_url"]),
        client.get(f"/networks/{network.pk}/updates/photos/{photo['id']}/full/"),
    ]
    for response in served:
        assert response.status_code == 200
        content = response.getvalue()
        image = Image.open(io.BytesIO(content))
        assert image.format == "JPEG"
        assert "exif" not in image.info
        assert not image.getexif()
        assert b"Exif" not in content and b"TellTaleCam" not in content
    # Both copies on disk are the clean ones; the original was never stored.
    assert len(stored_files(photo_dir)) == 2
    for path in stored_files(photo_dir):
        assert b"TellTaleCam" not in path.read_bytes()

    # The same upload again with the same key creates nothing more.
    again = client.post(
        f"/api/v1/networks/{network.pk}/updates/",
        {"text": "Out in the garden", "photos": [SimpleUploadedFile("garden.jpg", gps_jpeg())]},
        headers={"Idempotency-Key": "garden-1"},
    )
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert WellbeingUpdate.objects.count() == 1 and len(stored_files(photo_dir)) == 2
