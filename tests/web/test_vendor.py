"""The vendored front-end files are exactly the ones recorded in SHA256SUMS."""

import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor"


def _recorded():
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    return {
        name.removeprefix("./"): digest for digest, name in (line.split(maxsplit=1) for line in lines if line)
    }


def test_every_vendored_file_matches_its_recorded_checksum():
    recorded = _recorded()
    assert recorded, "SHA256SUMS lists no files"
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_every_vendored_file_is_recorded():
    on_disk = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path.name not in ("SHA256SUMS", "README.md")
    }
    assert on_disk == set(_recorded())


def test_htmx_is_a_pinned_2x_release():
    assert [p.name for p in VENDOR.glob("htmx-2.*")] == ["htmx-2.0.11"]
