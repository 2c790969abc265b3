"""Who is calling, with their permissions and office scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from records_backend.audit.log import Actor
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission, Role, permissions_of


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # "user" | "terminal" | "system"
    id: int | None
    name: str
    roles: frozenset[Role] = frozenset()
    permissions: frozenset[Permission] = frozenset()
    #: Offices in scope, or None for every office.
    office_ids: frozenset[int] | None = field(default_factory=frozenset)
    ip: str | None = None
    session_id: str | None = None

    @classmethod
    def user(
        cls,
        user_id: int,
        username: str,
        roles: frozenset[Role],
        office_ids: frozenset[int] | None,
        ip: str | None = None,
        session_id: str | None = None,
    ) -> Principal:
        return cls(
            "user", user_id, username, roles, permissions_of(roles), office_ids, ip, session_id
        )

    @classmethod
    def system(cls) -> Principal:
        return cls("system", None, "system", frozenset(), frozenset(Permission), None)

    @property
    def actor(self) -> Actor:
        label = "system" if self.kind == "system" else f"{self.kind}:{self.name}"
        return Actor(label, self.ip)

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == "user" else None

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise DomainError("forbidden_role", f"{self.name} lacks {permission.value}")

    def require_office(self, office_id: int) -> None:
        if self.office_ids is not None and office_id not in self.office_ids:
            raise DomainError(
                "forbidden_office", f"{self.name} is not scoped to office {office_id}"
            )

    def can_see_office(self, office_id: int) -> bool:
        return self.office_ids is None or office_id in self.office_ids
