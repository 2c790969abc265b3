"""Eligibility rules are data (``eligibility_rules.json`` or a file named in settings)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from records_backend.domain.requests import DocumentKind, Relation

DEFAULT_RULES = Path(__file__).with_name("eligibility_rules.json")


class Approval(StrEnum):
    AUTO = "auto"
    OFFICER = "officer"


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: DocumentKind
    relations: list[Relation] | Literal["*"]
    approval: Approval
    act_kinds: list[str] | None = None  # None: births and deaths


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    comment: str = ""
    rules: list[Rule]

    def decide(self, document: DocumentKind, relation: Relation, act_kind: str) -> Approval | None:
        """How a request is approved, or None when the requester is not eligible."""
        for rule in self.rules:
            if rule.document is not document:
                continue
            if rule.act_kinds is not None and act_kind not in rule.act_kinds:
                continue
            if rule.relations == "*" or relation in rule.relations:
                return rule.approval
        return None


def load_rules(path: Path = DEFAULT_RULES) -> RuleSet:
    return RuleSet.model_validate(json.loads(path.read_text(encoding="utf-8")))
