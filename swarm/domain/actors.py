"""Who performs a use case. Services check the actor's scope; the web app maps the logged-in user to an Actor."""

from __future__ import annotations

from dataclasses import dataclass

from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed


@dataclass(frozen=True)
class Actor:
    """A user acting in their one scope, or the system itself (command line, scheduler, seeding): ``role`` None."""

    role: UserRole | None
    user_id: int | None = None
    municipality_id: int | None = None
    professional_id: int | None = None
    region_id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.role is None

    @property
    def is_administrator(self) -> bool:
        return self.role is UserRole.ADMINISTRATOR

    def require_administrator(self) -> None:
        """The installation's administrator (regions, municipalities, staff accounts), or the system."""
        if self.is_system or self.is_administrator:
            return
        raise NotAllowed("Only an administrator may do this.")

    def require_region_setup(self, region_id: int) -> None:
        """A region's venues: its organizers keep them, the administrator sets them up; or the system."""
        if self.is_administrator:
            return
        self.require_region(region_id)

    def require_municipality(self, municipality_id: int, region_id: int | None = None) -> None:
        """The coordinator of this municipality, an organizer of its region, or the system."""
        if self.is_system or (self.role is UserRole.COORDINATOR and self.municipality_id == municipality_id):
            return
        if self.role is UserRole.ORGANIZER and region_id is not None and self.region_id == region_id:
            return
        raise NotAllowed("Only this municipality's coordinator may do this.")

    def require_professional(self, professional_id: int) -> None:
        if self.is_system or (self.role is UserRole.PROFESSIONAL and self.professional_id == professional_id):
            return
        raise NotAllowed("Only the professional themselves may do this.")

    def require_region(self, region_id: int) -> None:
        if self.is_system or (self.role is UserRole.ORGANIZER and self.region_id == region_id):
            return
        raise NotAllowed("Only an organizer of this region may do this.")


SYSTEM = Actor(role=None)
