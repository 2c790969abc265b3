"""ORM models; importing this package registers every table on ``Base.metadata``."""

from records_backend.db.models.accounts import LoginSession, Terminal, User, UserOffice
from records_backend.db.models.acts import Act, ActEvent, ActKeying, MarginalNote, OfficeNotice
from records_backend.db.models.audit import AuditEntry
from records_backend.db.models.offices import Office, Register
from records_backend.db.models.pages import Collection, IssuedDocument, StaffSecurity
from records_backend.db.models.requests import CodeBlock, CodeCounter, DocRequest, RequestEvent

__all__ = [
    "Act",
    "ActEvent",
    "ActKeying",
    "AuditEntry",
    "CodeBlock",
    "CodeCounter",
    "Collection",
    "DocRequest",
    "IssuedDocument",
    "LoginSession",
    "MarginalNote",
    "Office",
    "OfficeNotice",
    "Register",
    "RequestEvent",
    "StaffSecurity",
    "Terminal",
    "User",
    "UserOffice",
]
