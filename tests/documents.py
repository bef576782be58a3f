"""Small real files for the document tests: a PDF, a PNG and a JPEG that their programs open, and a text file
named like a PDF."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# One white pixel, made with the standard library (zlib and the chunk CRCs as the PNG specification asks).
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)
# An 8x8 JPEG that Chromium's canvas encoded (tests/data/tiny.jpg).
JPEG = (Path(__file__).parent / "data" / "tiny.jpg").read_bytes()
TEXT_NAMED_PDF = b"Dit is geen PDF, alleen tekst met de naam polis.pdf.\n"
