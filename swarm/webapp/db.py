"""The request's unit of work: one database session per request, committed once at the end or rolled back.

Services only flush; the app commits when the view returned a non-error response, so a request never leaves
half its changes behind.
"""

from __future__ import annotations

from flask import current_app, g, request
from sqlmodel import Session

from swarm.persistence.db import IMMEDIATE, create_engine, new_session

EXTENSION_KEY = "swarm_engine"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def init_db(app) -> None:
    """Bind the app to the database: an engine given in the config (tests share theirs) or one from the URL."""
    given = app.config.get("SWARM_ENGINE")
    app.extensions[EXTENSION_KEY] = given or create_engine(
        app.config["SWARM"].resolved_database_url, application_name="swarm-web"
    )
    app.after_request(_commit_on_success)
    app.teardown_request(_close)


def engine():
    return current_app.extensions[EXTENSION_KEY]


def db() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        session = new_session(engine())
        if request.method not in SAFE_METHODS and session.get_bind().dialect.name == "sqlite":
            # A POST (or the API's PUT) reads, then writes, next to the worker process: on SQLite take the write lock at BEGIN, or a
            # commit by the other process in between makes this one fail with "database is locked".
            session.connection(execution_options={IMMEDIATE: True})
        g.db_session = session
    return g.db_session


def _commit_on_success(response):
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def _close(error):
    session = g.pop("db_session", None)
    if session is not None:
        if error is not None:
            session.rollback()
        session.close()


def discard_changes() -> None:
    """Undo what this request changed so far (a refused action answered with a redirect, not an error status)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def end_request_transaction() -> None:
    """Close the request's session before a short transaction of its own writes (login throttling): on SQLite the
    request's POST holds the one write lock from its first statement. Only before anything was written."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
