"""Allowed status changes."""

from __future__ import annotations

from swarm.domain.enums import RequestStatus
from swarm.domain.errors import InvalidTransition

# draft -> open -> planned -> held; a planned request goes back to open when its session is cancelled,
# an open one back to draft when the coordinator withdraws it to edit.
REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.DRAFT: frozenset({RequestStatus.OPEN}),
    RequestStatus.OPEN: frozenset({RequestStatus.PLANNED, RequestStatus.DRAFT}),
    RequestStatus.PLANNED: frozenset({RequestStatus.HELD, RequestStatus.OPEN}),
    RequestStatus.HELD: frozenset(),
}


def check_request_transition(current: RequestStatus | str, target: RequestStatus) -> None:
    current = RequestStatus(current)
    if target not in REQUEST_TRANSITIONS[current]:
        raise InvalidTransition("request", current.value, target.value)
