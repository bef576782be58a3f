"""The audit log's service and table on SQLite and PostgreSQL: recorded with the change (and gone with its
rollback), never updated, read only by organizers of the region and administrators, purged by age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlmodel import select

from swarm.cli import main
from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import AuditKind, UserRole
from swarm.domain.errors import NotAllowed
from swarm.domain.timeutil import fixed_clock
from swarm.jobs import jobs_for
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.files import DocumentStore
from swarm.persistence.models import AuditRecord
from swarm.services.ops import audit
from swarm.services.people.privacy import anonymise_professional
from swarm.services.plan.frame import PolicyInput, update_region_policy
from tests.swarm.factories import CLOCK, add_professional, build_world
from tests.swarm.test_administrator_migration import url  # noqa: F401  (the fixture: SQLite and PostgreSQL)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def kinds(db) -> list[AuditKind]:
    return [AuditKind(r.kind) for r in db.exec(select(AuditRecord).order_by(AuditRecord.id))]


def test_documents_recorded_on_paper_and_an_erasure_by_the_system_are_recorded(db, world, tmp_path):
    professional = add_professional(db, world)
    recorded = db.exec(select(AuditRecord).where(AuditRecord.kind == AuditKind.DOCUMENT_RECORDED)).all()
    assert len(recorded) == 3 and {r.region_id for r in recorded} == {world.region.id}
    assert {r.facts["professional_id"] for r in recorded} == {professional.id}
    assert {r.actor_role for r in recorded} == {"system"} and {r.at for r in recorded} == {CLOCK()}

    anonymise_professional(db, professional.id, store=DocumentStore(tmp_path), actor=SYSTEM, clock=CLOCK)
    [erased] = db.exec(select(AuditRecord).where(AuditRecord.kind == AuditKind.DATA_ERASED)).all()
    assert (erased.subject_type, erased.subject_id, erased.region_id) == (
        "professional",
        professional.id,
        world.region.id,
    )


def test_a_change_that_is_rolled_back_leaves_no_record(url):  # noqa: F811
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with unit_of_work(engine) as session:
            region_id = build_world(session).region.id
        with pytest.raises(RuntimeError), unit_of_work(engine) as session:
            update_region_policy(session, region_id, PolicyInput(30, 5), actor=SYSTEM, clock=fixed_clock(NOW))
            assert len(session.exec(select(AuditRecord)).all()) == 1  # recorded with the change ...
            raise RuntimeError("the request failed after the change")
        with unit_of_work(engine) as session:
            assert session.exec(select(AuditRecord)).all() == []  # ... and gone with its rollback
    finally:
        engine.dispose()


def test_records_cannot_be_updated_and_go_only_by_age(url):  # noqa: F811
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with unit_of_work(engine) as session:
            for age in (31, 29):
                audit.record(
                    session, AuditKind.LOGIN_FAILED, actor=None, clock=fixed_clock(NOW - timedelta(days=age))
                )
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_records SET actor_name = 'someone else'"))

        config = Config.for_tests(database_url=url, audit_retention_days=30)
        [job] = [job for job in jobs_for(engine) if job.id == "audit-retention"]
        assert job.function is audit.purge_expired
        assert job.function(engine, config, fixed_clock(NOW)) == 1
        with unit_of_work(engine) as session:
            [kept] = session.exec(select(AuditRecord)).all()
            assert kept.at == NOW - timedelta(days=29)
        assert audit.purge_expired(engine, config, fixed_clock(NOW)) == 0

        migrate.downgrade(url, "0010_api_tokens_and_webhooks")
        assert "audit_records" not in sa.inspect(engine).get_table_names()
        migrate.upgrade(url)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_records (at, actor_role, actor_name, kind, subject_type, facts) VALUES (CURRENT_TIMESTAMP, '', '', 'pin_set', '', '{}')"
                )
            )
            connection.execute(sa.text("UPDATE audit_records SET kind = 'pin_removed'"))
    finally:
        engine.dispose()


def test_swarm_audit_purge_removes_what_is_past_the_retention(url):  # noqa: F811
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with unit_of_work(engine) as session:
            for year in (2020, 2100):
                audit.record(
                    session,
                    AuditKind.PIN_SET,
                    actor=SYSTEM,
                    clock=fixed_clock(datetime(year, 1, 1, tzinfo=UTC)),
                )
        result = CliRunner().invoke(main, ["audit", "purge"], env={"SWARM_DATABASE_URL": url})
        assert result.exit_code == 0, result.output
        assert "1 audit record(s) older than 730 days removed." in result.output
        with unit_of_work(engine) as session:
            assert [r.at.year for r in session.exec(select(AuditRecord))] == [2100]
    finally:
        engine.dispose()


def test_only_organizers_of_the_region_and_administrators_read_the_log(db, world):
    for region_id in (world.region.id, None):
        audit.record(db, AuditKind.POLICY_CHANGED, actor=SYSTEM, clock=CLOCK, region_id=region_id)
    organizer = Actor(role=UserRole.ORGANIZER, user_id=1, region_id=world.region.id)
    stranger = Actor(role=UserRole.ORGANIZER, user_id=2, region_id=world.region.id + 1000)
    administrator = Actor(role=UserRole.ADMINISTRATOR, user_id=3)
    assert audit.search(db, audit.Filters(), actor=organizer).total == 1
    assert audit.search(db, audit.Filters(), actor=stranger).total == 0
    assert audit.search(db, audit.Filters(), actor=administrator).total == 2
    for role in (UserRole.COORDINATOR, UserRole.PROFESSIONAL):
        with pytest.raises(NotAllowed):
            audit.search(db, audit.Filters(), actor=Actor(role=role, user_id=4))
