"""A real IMAP server on loopback for the reply-mailbox tests: Debian's dovecot (package dovecot-imapd), started
by the test with a configuration of its own in a temporary folder, one mailbox, plain login, no TLS."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

USER, PASSWORD = "antwoord", "reply-mailbox-secret"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if Path(path).exists()), None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:  # dovecot's own unprivileged users; the mail belongs to nobody
        login_user, internal_user, uid, gid = "dovenull", "dovecot", 65534, 65534
    else:  # everything as the user running the tests
        login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
        uid, gid = os.getuid(), os.getgid()
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def start_dovecot():
    """Start dovecot in the foreground on a free loopback port; (server, process, its folder). Skips when it is
    missing. The folder is a fresh one under the system's temporary folder, open to dovecot's own users (pytest's
    tmp_path is private to the user running the tests)."""
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="swarm-dovecot-"))
    root.chmod(0o755)
    port = _free_port()
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir(parents=True)
    (root / "mail").chmod(0o777)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "dovecot.conf").write_text(_config(root, port))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"dovecot did not start: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return ImapServer("127.0.0.1", port, USER, PASSWORD), process, root
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("dovecot did not listen within 15 s")


def stop_dovecot(process: subprocess.Popen, root: Path) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(root, ignore_errors=True)
