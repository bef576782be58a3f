"""The wheel is what a region installs: built from this checkout (the sdist, then the wheel from it), installed
into a fresh virtual environment outside the checkout with the pinned versions of constraints.txt, it migrates
a database, seeds a region and serves its pages in Dutch with every static file.

Nothing is cached between runs: each run copies the checkout's files, builds, and installs anew, so a file
the build forgets to ship fails here and not at a region.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.swarm.test_calendars_support import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "static" / "vendor"
ORGANIZER = "organisator@achterhoek.demo"
DEMO_PASSWORD = "zwerm-demo-2027"  # published in fixtures/README.md

pytestmark = pytest.mark.slow


def run(*command: str | Path, **options) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, **options)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


def checkout_files() -> list[str]:
    """The checkout's files as git sees them (committed or new, not ignored): what a clone would hold."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", dist, source)
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with only the wheel and its pinned dependencies; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", home)
    run(home / "bin" / "pip", "install", "-q", "--no-compile", "-c", ROOT / "constraints.txt", wheel)
    return home / "bin"


@pytest.fixture(scope="module")
def site(venv, tmp_path_factory) -> Path:
    """A working folder outside the checkout, where the installed swarm keeps its SQLite database."""
    return tmp_path_factory.mktemp("site")


def environment(site: Path) -> dict[str, str]:
    cleaned = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "SWARM_"))}
    return {
        **cleaned,
        "SWARM_DATABASE_URL": f"sqlite:///{site / 'swarm.db'}",
        "SWARM_SECRET_KEY": "wheel-test-" + "x" * 40,
    }


@pytest.fixture(scope="module")
def server(venv, site) -> Iterator[str]:
    """`swarm db upgrade`, `swarm seed` and `swarm serve` from the installed wheel, run in the site folder."""
    env = environment(site)
    run(venv / "swarm", "db", "upgrade", cwd=site, env=env)
    seed = "seed --region achterhoek --professionals 20 --today 2026-12-07"
    run(venv / "swarm", *seed.split(), cwd=site, env=env)
    port = free_port()
    log = site / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [venv / "swarm", "serve", "--port", str(port)], cwd=site, env=env, stdout=output, stderr=output
        )
    try:
        wait_for_port(port, process, log=str(log), timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def browser() -> urllib.request.OpenerDirector:
    """A client that keeps cookies (the login session) and asks for no language in particular."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def fetch(client, url: str, data: dict | None = None) -> tuple[int, bytes]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with client.open(url, data=body, timeout=30) as response:
        return response.status, response.read()


def test_the_wheel_carries_the_web_files_the_data_and_compiled_translations_but_no_fixtures_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [
        name
        for name in checkout_files()
        if name.startswith("web/") or (name.startswith("fixtures/") and name.endswith((".json", ".csv")))
    ]
    assert "web/templates/public/home.html" in shipped and "web/static/vendor/SHA256SUMS" in shipped
    assert {f"swarm/{name}" for name in shipped} <= names
    assert {
        "swarm/translations/nl/LC_MESSAGES/messages.mo",
        "swarm/translations/en/LC_MESSAGES/messages.mo",
    } <= names
    assert {name.split("/")[0] for name in names if not name.startswith("swarm-")} == {"swarm", "solver"}


def test_the_installed_swarm_imports_nothing_from_the_checkout_and_no_fixtures_package(venv, site):
    found = run(
        venv / "python",
        "-c",
        "import swarm, importlib.util; print(swarm.__file__, importlib.util.find_spec('fixtures'))",
        cwd=site,
        env=environment(site),
    ).stdout.split()
    assert found[0].startswith(str(venv.parent)) and found[1] == "None"


def test_the_installed_swarm_serves_the_home_page_in_dutch(server):
    status, page = fetch(browser(), server + "/")
    assert status == 200
    assert b'<html lang="nl">' in page
    assert b"Drie rollen" in page  # "Three roles", from the compiled catalogue


def test_the_seeded_organizer_logs_in_and_sees_the_region_in_dutch(server):
    client = browser()
    _, login_page = fetch(client, server + "/login")
    assert b"Inloggen" in login_page
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1).decode()
    status, home = fetch(
        client, server + "/login", {"csrf_token": token, "email": ORGANIZER, "password": DEMO_PASSWORD}
    )
    assert status == 200
    assert b'<html lang="nl">' in home and b"Uitloggen" in home
    assert b"Achterhoek" in home


def vendored() -> list[str]:
    """The vendored front-end files the checkout records (web/static/vendor/SHA256SUMS)."""
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    return [line.split(maxsplit=1)[1].removeprefix("./") for line in lines if line]


def test_the_installed_swarm_serves_every_static_file_the_pages_link_and_every_vendored_one(server):
    client = browser()
    _, page = fetch(client, server + "/")
    linked = set(re.findall(rb'(?:href|src)="(/static/[^"?]+)', page))
    assert {b"/static/app.css", b"/static/app.js"} <= linked
    for path in sorted(linked):
        assert fetch(client, server + path.decode())[0] == 200, path
    for name in vendored():
        status, content = fetch(client, f"{server}/static/vendor/{name}")
        assert status == 200 and content == (VENDOR / name).read_bytes(), name
