"""Where the files that ship beside the code are: the web app's templates and static files, the reference data.

A checkout keeps them in top-level folders of the repository (``web/``, ``fixtures/``); the build copies each into
the package (``swarm/web``, ``swarm/fixtures``: ``setup.py``), so an installed wheel finds them under ``swarm/`` and
never looks outside its own installation.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_folder(name: str) -> Path:
    """The folder ``name`` as the wheel installs it inside the package, else the checkout's top-level one."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"{name}/ is missing: neither {PACKAGE_DIR / name} (an installed wheel) nor {PACKAGE_DIR.parent / name} "
        "(a checkout) exists; reinstall swarm"
    )


WEB_DIR = shipped_folder("web")
FIXTURES_DIR = shipped_folder("fixtures")
