"""Administration commands: ``swarm admin create``, ``swarm admin list``, ``swarm admin import-region`` and
``swarm api-token create|list|revoke``.

``COMMANDS`` is added to the ``swarm`` group in swarm/cli.py. A refusal (an e-mail address in use, a weak
password, an unknown sample region) ends with one line naming the option and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys

import click
from sqlmodel import select

from swarm.config import Config, ConfigError
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import STAFF_ROLES, UserRole
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.rules import normalise_email
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import User
from swarm.services.people.accounts import Scope, check_password, create_user, email_taken, require_plain_name
from swarm.services.people.api_tokens import create_api_token, revoke_api_token, tokens_of
from swarm.services.people.staff import scope_name
from swarm.services.setup.regions import SAMPLE_REGIONS, import_sample_region

OPTION_OF_FIELD = {
    "email": "--email",
    "name": "--name",
    "password": "password",
    "region": "--region",
    "expires_in_days": "--days",
}


class Refused(click.ClickException):
    """Input the operator can fix: one line, exit status 2 (as for a usage error)."""

    exit_code = 2


def _refuse(error: ValidationError) -> Refused:
    return Refused(f"{OPTION_OF_FIELD.get(error.field, error.field)}: {error.text}")


def _engine():
    try:
        config = Config.from_env()
    except ConfigError as problem:
        raise click.ClickException(str(problem)) from None
    engine = create_engine(config.resolved_database_url)
    if migrate.current_revision(engine) != migrate.head_revision():
        engine.dispose()
        raise click.ClickException("the database is not up to date: run `swarm db upgrade` first")
    return engine


def _read_password(email: str) -> str:
    """Twice at a terminal (hidden); otherwise the first line of standard input (for scripts and tests)."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        check_password(password, email=email)
    except ValidationError as error:
        raise _refuse(error) from None
    return password


@click.group("admin")
def admin() -> None:
    """Administrators: the accounts that set the installation up (regions, municipalities, staff)."""


@admin.command("create")
@click.option("--email", required=True, help="E-mail address of the administrator (the login name).")
@click.option("--name", default="", help="Name shown in the app and in mail.")
def create(email: str, name: str) -> None:
    """Create an administrator. The password is read from standard input, or asked twice at a terminal."""
    engine = _engine()
    try:
        try:
            email = normalise_email(email)
            name = require_plain_name(name)
        except ValidationError as error:
            raise _refuse(error) from None
        with unit_of_work(engine) as session:
            if email_taken(session, email):  # before asking for a password that would be thrown away
                raise Refused("--email: an account with this e-mail address already exists")
        password = _read_password(email)
        with unit_of_work(engine) as session:
            try:
                create_user(session, email, password, Scope(UserRole.ADMINISTRATOR), name=name, actor=SYSTEM)
            except ValidationError as error:
                raise _refuse(error) from None
    finally:
        engine.dispose()
    click.echo(f"administrator {email} created; log in at /login")


@admin.command("list")
def list_accounts() -> None:
    """List the staff accounts: administrators, organizers and coordinators, with their state."""
    engine = _engine()
    try:
        with unit_of_work(engine) as session:
            users = session.exec(
                select(User)
                .where(User.role.in_([r.value for r in STAFF_ROLES]))
                .order_by(User.role, User.email)
            ).all()
            rows = [
                (
                    UserRole(u.role).value,
                    u.email,
                    u.name,
                    scope_name(session, u),
                    "active" if u.active else "switched off",
                    "invited" if not u.password_hash and u.last_login_at is None else "",
                )
                for u in users
            ]
    finally:
        engine.dispose()
    if not rows:
        click.echo("no staff accounts yet: swarm admin create --email ...")
    for row in rows:
        click.echo("\t".join(row).rstrip())


@admin.command("import-region")
@click.option("--region", required=True, type=click.Choice(SAMPLE_REGIONS), help="The sample region.")
def import_region(region: str) -> None:
    """Import a sample region: its municipalities with CBS codes, their places and town-hall venues (no people)."""
    engine = _engine()
    try:
        with unit_of_work(engine) as session:
            report = import_sample_region(session, region, actor=SYSTEM)
    finally:
        engine.dispose()
    click.echo(
        f"{report.name}: {report.municipalities} municipalities, {report.places} places, {report.venues} venues"
    )


@click.group("api-token")
def api_token() -> None:
    """Personal tokens for the JSON API (/api/v1): each acts with its owner's role and scope."""


@api_token.command("create")
@click.option("--email", required=True, help="E-mail address of the account the token acts for.")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Valid for this many days (default: until revoked).",
)
def create_token(email: str, name: str, days: int | None) -> None:
    """Make a token and print it once (only its hash is kept): pass it as Authorization: Bearer TOKEN."""
    engine = _engine()
    try:
        with unit_of_work(engine) as session:
            user = session.exec(select(User).where(User.email == email.strip().lower())).first()
            if user is None:
                raise Refused("--email: no account has this e-mail address")
            try:
                token, secret = create_api_token(session, user.id, name, expires_in_days=days, actor=SYSTEM)
            except ValidationError as error:
                raise _refuse(error) from None
            token_id = token.id
    finally:
        engine.dispose()
    click.echo(f"token {token_id} for {email} ({name}); shown only now:", err=True)
    click.echo(secret)


@api_token.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def revoke_token(token_id: int) -> None:
    """Revoke a token by its number (as printed by create, or listed by `swarm api-token list`)."""
    engine = _engine()
    try:
        with unit_of_work(engine) as session:
            try:
                revoke_api_token(session, token_id, actor=SYSTEM)
            except NotFound:
                raise Refused(f"token {token_id}: no such token") from None
    finally:
        engine.dispose()
    click.echo(f"token {token_id} revoked")


@api_token.command("list")
@click.option("--email", required=True, help="E-mail address of the account.")
def list_tokens(email: str) -> None:
    """The account's tokens: number, name, first characters, state."""
    engine = _engine()
    try:
        with unit_of_work(engine) as session:
            user = session.exec(select(User).where(User.email == email.strip().lower())).first()
            if user is None:
                raise Refused("--email: no account has this e-mail address")
            rows = [
                (str(t.id), t.name, t.prefix, "revoked" if t.revoked_at else "active")
                for t in tokens_of(session, user.id, actor=SYSTEM)
            ]
    finally:
        engine.dispose()
    for row in rows:
        click.echo("\t".join(row))


COMMANDS = [admin, api_token]
