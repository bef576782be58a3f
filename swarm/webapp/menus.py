"""The main menu of each role: (endpoint, label) pairs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from swarm.domain.enums import UserRole

MENUS = {
    UserRole.COORDINATOR: [
        ("coordinator.dashboard", _l("Overview")),
        ("coordinator.roles", _l("Role book")),
        ("coordinator.edit_request", _l("Request a swarm")),
        ("coordinator.projects", _l("Projects")),
    ],
    UserRole.PROFESSIONAL: [
        ("professional.dashboard", _l("Overview")),
        ("professional.profile", _l("Profile")),
        ("professional.availability", _l("Availability")),
        ("professional.invitations", _l("Invitations")),
    ],
    UserRole.ORGANIZER: [
        ("organizer.dashboard", _l("Dashboard")),
        ("organizer.rounds_page", _l("Rounds")),
        ("organizer.review", _l("Plan")),
        ("organizer.documents_to_check", _l("Documents")),
        ("organizer.policy", _l("Equal treatment")),
        ("organizer.webhooks_page", _l("Webhooks")),
        ("organizer.audit_log", _l("Audit log")),
    ],
    UserRole.ADMINISTRATOR: [
        ("admin.regions", _l("Regions")),
        ("admin.staff", _l("Staff accounts")),
        ("admin.audit_log", _l("Audit log")),
    ],
}
ACCOUNT = ("account.settings", _l("Account"))  # every role: password, log out everywhere


def menu_for(role: UserRole):
    return [*MENUS[role], ACCOUNT]
