"""Staff roles and what each may do. Office scope is checked separately."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    OFFICER = "officer"
    OFFICE_HEAD = "office_head"
    CENTRAL_ADMIN = "central_admin"
    STATISTICIAN = "statistician"
    AUDITOR = "auditor"
    TECHNICIAN = "technician"
    FLEET_OPERATOR = "fleet_operator"


class Permission(StrEnum):
    OFFICES_READ = "offices.read"
    ACTS_READ = "acts.read"
    #: A kiosk helping a citizen find their own act: full names and birth date required,
    #: only references come back.
    ACTS_FIND = "acts.find"
    ACTS_KEY = "acts.key"  # digitize, second keying, resolve mismatches
    NOTES_RECORD = "notes.record"
    NOTES_VALIDATE = "notes.validate"
    REQUESTS_READ = "requests.read"
    REQUESTS_DECIDE = "requests.decide"  # approve / reject
    REQUESTS_DELIVER = "requests.deliver"  # printed, ready, collected, fee
    REQUESTS_SUBMIT = "requests.submit"  # counter submissions
    USERS_MANAGE = "users.manage"
    TERMINALS_MANAGE = "terminals.manage"
    AUDIT_READ = "audit.read"
    EXCHANGE = "exchange"  # export / import of acts


_DELIVERY = {
    Permission.OFFICES_READ,
    Permission.ACTS_READ,
    Permission.REQUESTS_READ,
    Permission.REQUESTS_DELIVER,
    Permission.REQUESTS_SUBMIT,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_DELIVERY),
    Role.OFFICER: frozenset(
        _DELIVERY
        | {
            Permission.ACTS_KEY,
            Permission.NOTES_RECORD,
            Permission.NOTES_VALIDATE,
            Permission.REQUESTS_DECIDE,
        }
    ),
    Role.OFFICE_HEAD: frozenset(
        _DELIVERY
        | {
            Permission.ACTS_KEY,
            Permission.NOTES_RECORD,
            Permission.NOTES_VALIDATE,
            Permission.REQUESTS_DECIDE,
        }
    ),
    Role.CENTRAL_ADMIN: frozenset(
        {
            Permission.OFFICES_READ,
            Permission.USERS_MANAGE,
            Permission.TERMINALS_MANAGE,
            Permission.EXCHANGE,
        }
    ),
    Role.STATISTICIAN: frozenset({Permission.OFFICES_READ}),
    Role.AUDITOR: frozenset({Permission.OFFICES_READ, Permission.AUDIT_READ}),
    Role.TECHNICIAN: frozenset({Permission.OFFICES_READ, Permission.TERMINALS_MANAGE}),
    Role.FLEET_OPERATOR: frozenset({Permission.OFFICES_READ}),
}


def permissions_of(roles: set[Role] | frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= GRANTS[role]
    return frozenset(granted)
