"""Portal fixtures: a QR place in project A, photos made from raw bytes, an English client."""

import struct
import zlib

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ganzhi.workorders.models import QRPlace


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and login codes live in the cache; start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal(wo):
    """The work-order world plus a QR place on a lamp post in project A."""
    wo.lamp = QRPlace.objects.create(
        company=wo.company,
        project=wo.project_a,
        name="1栋东侧路灯",
        kind=QRPlace.Kind.LAMP,
        building=wo.building_a,
    )
    return wo


def english_client(**extra) -> Client:
    """Pages in English (the language cookie), so tests can assert on message ids whatever
    the catalogue holds."""
    client = Client(**extra)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "lamp.png", content: bytes | None = None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type)


def report_data(world, **overrides) -> dict:
    data = {
        "category": str(world.categories["repair-light"].public_id),
        "description": "路灯不亮，晚上很黑",
        "reporter_name": "张先生",
        "reporter_phone": "13700001111",
    }
    data.update(overrides)
    return data
