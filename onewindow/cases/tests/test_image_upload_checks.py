"""An image handed in must open whole: one too large in pixels to open, or one cut off in transfer,
is refused with a message saying what to do, never a server error nor a grey half-picture later."""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseMaterial


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims the given size (a phone panorama or a crafted file,
    as the image library sees it before any pixel is read)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload_row(case: Case) -> CaseMaterial:
    row = (
        case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert row is not None
    return row


def upload(user: User, case: Case, name: str, data: bytes, mime: str) -> Any:
    client = Client()
    client.force_login(user)
    client.raise_request_exception = False
    row = upload_row(case)
    return client.post(
        reverse("cases:material_upload", args=[case.pk, row.material.code]),
        {"file": SimpleUploadedFile(name, data, content_type=mime)},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(20000, 20000), (10000, 10000)])
def test_an_image_of_too_many_pixels_is_refused_with_a_message(
    draft: Case, alice: User, size: tuple[int, int]
) -> None:
    """20000×20000 is past Pillow's hard limit; 10000×10000 past the limit it only warns about."""
    response = upload(alice, draft, "panorama.png", png_claiming(*size), "image/png")

    assert response.status_code == 422
    assert "图片像素过多" in response.content.decode()
    assert not upload_row(draft).file


@pytest.mark.django_db
def test_the_api_refuses_it_with_its_own_code(draft: Case, alice: User) -> None:
    client = Client()
    client.force_login(alice)
    row = upload_row(draft)

    response = client.post(
        f"/api/v1/cases/{draft.pk}/materials/{row.material.code}/upload",
        {"file": SimpleUploadedFile("p.png", png_claiming(20000, 20000), content_type="image/png")},
    )

    assert response.status_code == 422
    assert json.loads(response.content)["code"] == "upload_too_many_pixels"


@pytest.mark.django_db
def test_a_truncated_jpeg_is_refused_as_damaged(draft: Case, alice: User) -> None:
    whole = jpeg()

    response = upload(alice, draft, "licence-photo.jpg", whole[: len(whole) // 3], "image/jpeg")

    assert response.status_code == 422
    assert "图片文件已损坏" in response.content.decode()
    assert not upload_row(draft).file


@pytest.mark.django_db
def test_a_whole_jpeg_is_taken(draft: Case, alice: User) -> None:
    response = upload(alice, draft, "licence-photo.jpg", jpeg(), "image/jpeg")

    assert response.status_code == 302
    assert upload_row(draft).content_type == "image/jpeg"
