"""Allowed status changes of a request, and the phase of a planning round."""

from __future__ import annotations

from datetime import datetime

from swarm.domain.enums import PlanningRoundStatus, RequestStatus, RoundPhase
from swarm.domain.errors import InvalidTransition

# draft -> open -> planned -> held. A draft is submitted: it opens in the round that takes requests, or waits
# (no round takes requests) and opens when the next round does. A planned request goes back to open when its
# session is cancelled; an open or waiting one back to draft when the coordinator withdraws it to edit. An open
# request that a published round left unplanned stays open and moves on to the next round (a roll-over).
REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.DRAFT: frozenset({RequestStatus.OPEN, RequestStatus.WAITING}),
    RequestStatus.WAITING: frozenset({RequestStatus.OPEN, RequestStatus.DRAFT}),
    RequestStatus.OPEN: frozenset({RequestStatus.PLANNED, RequestStatus.DRAFT}),
    RequestStatus.PLANNED: frozenset({RequestStatus.HELD, RequestStatus.OPEN}),
    RequestStatus.HELD: frozenset(),
}


def check_request_transition(current: RequestStatus | str, target: RequestStatus) -> None:
    current = RequestStatus(current)
    if target not in REQUEST_TRANSITIONS[current]:
        raise InvalidTransition("request", current.value, target.value)


def round_phase(
    status: PlanningRoundStatus | str, availability_deadline: datetime, now: datetime
) -> RoundPhase:
    """An open round takes requests and availability until its deadline; then it is planned."""
    status = PlanningRoundStatus(status)
    if status == PlanningRoundStatus.CLOSED:
        return RoundPhase.CLOSED
    if status == PlanningRoundStatus.PLANNED:
        return RoundPhase.PUBLISHED
    return RoundPhase.TAKING_REQUESTS if availability_deadline > now else RoundPhase.PLANNING
