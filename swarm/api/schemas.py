"""The API's documents: marshmallow schemas that check what comes in and describe what goes out.

Every number is bounded and every text is checked for control characters and broken Unicode before a service
sees it, so that no input can reach the database as something it refuses (a NUL byte, an id beyond its integer):
bad input is a 422 naming the field, never a 500. The services check the rules (and name their fields too).
"""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma
from marshmallow import fields, validate

MAX_ID = 2**31 - 1
_CONTROL = {chr(n) for n in range(32)} | {"\x7f"}
_LINE_BREAKS = {"\n", "\r", "\t"}


def _plain(multiline: bool):
    allowed = _CONTROL - _LINE_BREAKS if multiline else _CONTROL

    def check(value: str) -> None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError("Use no control characters and only valid Unicode.") from None
        if any(ch in allowed for ch in value):
            raise ma.ValidationError("Use no control characters and only valid Unicode.")

    return check


def _reasonable_moment(value) -> None:
    """Within the years a plan can mean; also keeps far-off offsets from overflowing the conversion to UTC."""
    try:
        year = value.astimezone(UTC).year
    except (OverflowError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ma.ValidationError("Give a moment between the years 2000 and 2100.")


def Text(*, max_length: int = 200, multiline: bool = False, **kwargs) -> fields.String:  # noqa: N802
    return fields.String(
        validate=[validate.Length(max=max_length, error="Too long."), _plain(multiline)], **kwargs
    )


def Id(**kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(
        strict=True,
        validate=validate.Range(1, MAX_ID, error="Give a whole number from 1 to 2147483647."),
        **kwargs,
    )


def Whole(minimum: int, maximum: int, **kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(
        strict=True,
        validate=validate.Range(minimum, maximum, error=f"Must be between {minimum} and {maximum}."),
        **kwargs,
    )


def Level(**kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(
        strict=True, validate=validate.Range(1, 3, error="A skill level is 1, 2 or 3."), **kwargs
    )


def Ids(**kwargs) -> fields.List:  # noqa: N802
    return fields.List(Id(), validate=validate.Length(max=500, error="Too many items."), **kwargs)


class Schema(ma.Schema):
    """A document of the API (fields keep their declared order)."""


# -- lists and problems -----------------------------------------------------------------------------------


class PageQuery(Schema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(1, 100_000, error="Give a page number from 1 to 100000.")
    )
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(1, 100, error="Give from 1 to 100 items per page.")
    )


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    next = fields.String(allow_none=True, required=True, metadata={"description": "the next page's URL"})
    previous = fields.String(allow_none=True, required=True)


class FieldError(Schema):
    field = fields.String(required=True, metadata={"description": "path of the field, e.g. needs[0].count"})
    message = fields.String(required=True)


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldError))


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of ``item``s: ``items`` with the page's numbers and the next and previous pages' URLs."""
    return type(name, (PageMeta,), {"items": fields.List(fields.Nested(item), required=True)})


# -- who the token acts for -------------------------------------------------------------------------------


class Me(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    municipality_id = fields.Integer(allow_none=True, required=True)
    region_id = fields.Integer(allow_none=True, required=True)
    professional_id = fields.Integer(allow_none=True, required=True)


# -- professionals ----------------------------------------------------------------------------------------


class Professional(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    kvk_number = fields.String(required=True)
    region_id = fields.Integer(required=True)
    home_place_id = fields.Integer(allow_none=True, required=True)
    travel_radius_km = fields.Integer(required=True)
    hourly_rate = fields.Integer(required=True)
    hours_per_week = fields.Integer(required=True)
    max_sessions_per_round = fields.Integer(required=True)
    bio = fields.String(required=True)
    agreement_signed_on = fields.Date(allow_none=True, required=True)
    skills = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    qualified = fields.Boolean(required=True, metadata={"description": "qualified today"})


class ProfileIn(Schema):
    name = Text(required=True)
    email = Text(required=True, max_length=254)
    kvk_number = Text(required=True, max_length=20)
    home_place_id = Id(required=True)
    travel_radius_km = Whole(0, 500, load_default=30)
    hourly_rate = Whole(0, 1000, load_default=0)
    hours_per_week = Whole(0, 80, load_default=0)
    max_sessions_per_round = Whole(0, 20, load_default=1)
    skills = fields.Dict(
        keys=Text(max_length=60),
        values=Level(),
        load_default=dict,
        validate=validate.Length(max=200, error="Too many items."),
    )
    bio = Text(max_length=5000, multiline=True, load_default="")
    agreement_signed = fields.Boolean(load_default=False)


class Answer(Schema):
    slot_id = Id(required=True)
    answer = fields.String(
        required=True, validate=validate.OneOf(["yes", "maybe", "no"], error="Answer yes, maybe or no.")
    )


class SlotAnswer(Answer):
    code = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)


class Availability(Schema):
    professional_id = fields.Integer(required=True)
    slots = fields.List(fields.Nested(SlotAnswer), required=True)


class AvailabilityIn(Schema):
    answers = fields.List(
        fields.Nested(Answer), required=True, validate=validate.Length(max=500, error="Too many items.")
    )


# -- requests ---------------------------------------------------------------------------------------------


class Need(Schema):
    skill = Text(required=True, max_length=60)
    count = Whole(0, 100, load_default=1)
    min_level = Level(load_default=1)


class Exclusion(Schema):
    professional_id = Id(required=True)
    reason = Text(max_length=500, load_default="")


class RequestIn(Schema):
    municipality_id = Id(load_default=None, metadata={"description": "default: the coordinator's own"})
    planning_round_id = Id(
        load_default=None,
        metadata={"description": "default: the round that takes requests now (its deadline)"},
    )
    title = Text(required=True)
    question = Text(max_length=5000, multiline=True, load_default="")
    table_size_min = Whole(1, 100, load_default=4)
    table_size_max = Whole(1, 100, load_default=8)
    priority = Whole(1, 5, load_default=1)
    max_travel_km = fields.Float(
        allow_none=True,
        load_default=None,
        validate=validate.Range(0, 1000, error="Must be between 0 and 1000."),
    )
    needs = fields.List(
        fields.Nested(Need), load_default=list, validate=validate.Length(max=50, error="Too many items.")
    )
    slot_ids = Ids(load_default=list)
    venue_ids = Ids(load_default=list)
    exclusions = fields.List(
        fields.Nested(Exclusion),
        load_default=list,
        validate=validate.Length(max=500, error="Too many items."),
    )


class SwarmRequest(Schema):
    id = fields.Integer(required=True)
    municipality_id = fields.Integer(required=True)
    planning_round_id = fields.Integer(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"description": "draft, waiting, open, planned or held"})
    title = fields.String(required=True)
    question = fields.String(required=True)
    availability_deadline = fields.DateTime(
        allow_none=True, required=True, metadata={"description": "its round's deadline"}
    )
    table_size_min = fields.Integer(required=True)
    table_size_max = fields.Integer(required=True)
    priority = fields.Integer(required=True)
    max_travel_km = fields.Float(allow_none=True, required=True)
    needs = fields.List(fields.Nested(Need), required=True)
    slot_ids = fields.List(fields.Integer(), required=True)
    venue_ids = fields.List(fields.Integer(), required=True)
    exclusions = fields.List(fields.Nested(Exclusion), required=True)


# -- rounds, solves, schedules ----------------------------------------------------------------------------


def Moment(**kwargs) -> fields.AwareDateTime:  # noqa: N802
    return fields.AwareDateTime(
        default_timezone=None,
        validate=_reasonable_moment,
        metadata={"description": "an instant with its UTC offset"},
        **kwargs,
    )


class SlotIn(Schema):
    starts_at = Moment(required=True)
    ends_at = Moment(required=True)
    venue_ids = Ids(load_default=list)


class RoundIn(Schema):
    name = Text(required=True, max_length=120)
    availability_deadline = Moment(required=True)
    time_limit_seconds = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 3600, error="Give a time limit between 1 second and an hour."),
    )
    slots = fields.List(
        fields.Nested(SlotIn), required=True, validate=validate.Length(max=50, error="Too many items.")
    )


class Round(Schema):
    id = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    sequence = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "open, planned or closed"})
    starts_on = fields.Date(allow_none=True, required=True)
    ends_on = fields.Date(allow_none=True, required=True)
    availability_deadline = fields.DateTime(required=True)
    time_limit_seconds = fields.Integer(allow_none=True, required=True)
    slot_ids = fields.List(fields.Integer(), required=True)
    published_at = fields.DateTime(allow_none=True, required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)


class SolveIn(Schema):
    time_limit = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 600, error="Give a time limit between 1 and 600 seconds."),
    )
    seed = fields.Integer(
        load_default=0, validate=validate.Range(0, MAX_ID, error="Give a seed from 0 to 2147483647.")
    )


class Solve(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "swarm (a round) or shell (a team)"})
    status = fields.String(required=True, metadata={"description": "queued, running, succeeded, failed"})
    planning_round_id = fields.Integer(allow_none=True, required=True)
    project_ids = fields.List(fields.Integer(), required=True)
    stage = fields.String(required=True)
    score = fields.Integer(allow_none=True, required=True)
    bound = fields.Integer(allow_none=True, required=True)
    gap = fields.Float(allow_none=True, required=True, metadata={"description": "0.0: proved optimal"})
    elapsed_seconds = fields.Float(allow_none=True, required=True)
    stop_requested = fields.Boolean(required=True)
    error = fields.String(required=True)
    queued_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True, required=True)
    finished_at = fields.DateTime(allow_none=True, required=True)


class Reason(Schema):
    code = fields.String(required=True)
    facts = fields.Dict(required=True)
    text = fields.String(required=True, metadata={"description": "in the request's language"})


class Invitation(Schema):
    id = fields.Integer(required=True)
    professional_id = fields.Integer(required=True)
    name = fields.String(required=True)
    response = fields.String(
        required=True, metadata={"description": "needs-action, accepted, tentative, declined"}
    )
    cancelled = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(Reason), required=True)


class Table(Schema):
    position = fields.Integer(required=True)
    request_id = fields.Integer(required=True)
    title = fields.String(required=True)
    rounds = fields.List(
        fields.List(fields.Integer()),
        required=True,
        metadata={"description": "per round, the ids of the professionals at the table"},
    )


class ScheduledSession(Schema):
    id = fields.Integer(required=True)
    uid = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    slot_id = fields.Integer(required=True)
    slot_code = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    venue_id = fields.Integer(required=True)
    venue_name = fields.String(required=True)
    tables = fields.List(fields.Nested(Table), required=True)
    invitations = fields.List(fields.Nested(Invitation), required=True)


class Unscheduled(Schema):
    request_id = fields.Integer(allow_none=True, required=True)
    reason = fields.String(required=True)


class Schedule(Schema):
    planning_round_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "draft or published"})
    stale = fields.Boolean(
        required=True, metadata={"description": "a draft made before the published schedule changed"}
    )
    sessions = fields.List(fields.Nested(ScheduledSession), required=True)
    unscheduled = fields.List(fields.Nested(Unscheduled), required=True)


class ScheduleQuery(Schema):
    status = fields.String(
        load_default="draft",
        validate=validate.OneOf(["draft", "published"], error="Choose draft or published."),
    )


class PublishReport(Schema):
    published = fields.List(fields.Integer(), required=True)
    updated = fields.List(fields.Integer(), required=True)
    cancelled = fields.List(fields.Integer(), required=True)
    mails = fields.Integer(required=True)


# -- projects and teams -----------------------------------------------------------------------------------


class ProjectRoleIn(Schema):
    name = Text(required=True, max_length=120)
    skill = Text(required=True, max_length=60)
    hours_per_week = Whole(1, 80, required=True)
    first_week = Text(required=True, max_length=8)
    last_week = Text(required=True, max_length=8)
    min_level = Level(load_default=1)
    role_id = Id(load_default=None, allow_none=True)


class ProjectIn(Schema):
    title = Text(required=True)
    place_id = Id(required=True)
    description = Text(max_length=5000, multiline=True, load_default="")
    budget = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 100_000_000, error="Must be between 0 and 100000000."),
    )
    origin_request_id = Id(load_default=None, allow_none=True)
    roles = fields.List(
        fields.Nested(ProjectRoleIn),
        load_default=list,
        validate=validate.Length(max=50, error="Too many items."),
    )


class Assignment(Schema):
    professional_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "proposed or accepted"})
    pinned = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(Reason), required=True)


class ProjectRole(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    skill = fields.String(required=True)
    min_level = fields.Integer(required=True)
    hours_per_week = fields.Integer(required=True)
    first_week = fields.String(required=True)
    last_week = fields.String(required=True)
    assignment = fields.Nested(Assignment, allow_none=True, required=True)


class Project(Schema):
    id = fields.Integer(required=True)
    municipality_id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    budget = fields.Integer(allow_none=True, required=True)
    location_name = fields.String(required=True)
    origin_request_id = fields.Integer(allow_none=True, required=True)
    team_accepted_at = fields.DateTime(allow_none=True, required=True)
    roles = fields.List(fields.Nested(ProjectRole), required=True)


# -- imports ----------------------------------------------------------------------------------------------


class ImportQuery(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "check every row, store nothing"})


class ImportedRow(Schema):
    line = fields.Integer(required=True)
    label = fields.String(required=True)
    outcome = fields.String(required=True, metadata={"description": "new, update or unchanged"})
    changed = fields.List(fields.String(), required=True, metadata={"description": "the columns that change"})


class ImportReport(Schema):
    kind = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    stored = fields.Boolean(required=True)
    file_format = fields.String(required=True)
    unknown_headers = fields.List(fields.String(), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    rows = fields.List(fields.Nested(ImportedRow), required=True)
    stored_ids = fields.List(fields.Integer(), required=True)
