"""The citizen portal: find the one act a citizen describes, submit, check a status."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from records_backend.db.models import DocRequest
from records_backend.domain.acts import ActKind, parse_reference
from records_backend.domain.eligibility import RuleSet
from records_backend.domain.requests import Channel, DocumentKind, Relation
from records_backend.domain.roles import Permission
from records_backend.services import requests as request_service
from records_backend.services.acts import reference
from records_backend.services.principal import Principal
from records_backend.services.search import NameQuery, build_query


def portal_principal(ip: str | None) -> Principal:
    """The portal acts for anonymous citizens: it may only submit requests."""
    return Principal(
        kind="portal",
        id=None,
        name="portal",
        permissions=frozenset({Permission.REQUESTS_SUBMIT}),
        office_ids=None,
        ip=ip,
    )


def reference_by_name(
    session: Session,
    family: str,
    given: str,
    event_date: date,
    father: str | None,
    mother: str | None,
) -> str | None:
    """The reference of the single registered act that fits, or None.

    None both when nothing fits and when several do: the answer says nothing more about
    who is registered than the request itself needs.
    """
    q = NameQuery(
        family=family,
        given=given,
        birth_date=event_date,
        father=father,
        mother=mother,
        kind=ActKind.BIRTH,
    )
    rows = list(session.scalars(build_query(q).limit(2)))
    if len(rows) != 1:
        return None
    return reference(session, rows[0])


def eligible(rules: RuleSet, document: str, relation: str, by: str, reference: str) -> bool | None:
    """Whether this relation may ask for this document (None: the form is not valid).

    By name, the portal looks for birth acts (the documents it offers are issued from them).
    """
    try:
        doc, rel = DocumentKind(document), Relation(relation)
        kind = parse_reference(reference)[2] if by != "name" else ActKind.BIRTH
    except ValueError:
        return None
    return rules.decide(doc, rel, kind.value) is not None


def submit(
    session: Session,
    svc: request_service.RequestServices,
    by: Principal,
    sub: request_service.SubmissionIn,
) -> request_service.Receipt:
    return request_service.submit(session, svc, by, sub, channel=Channel.PORTAL)


def status(session: Session, code: str, secret: str) -> DocRequest:
    """Code and receipt secret together, or the backend's lookup_failed refusal."""
    return request_service.find_with_secret(session, code, secret)
