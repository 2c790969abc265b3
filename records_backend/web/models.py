"""The staff pages' tables (defined with the registry's models, migrated with them)."""

from records_backend.db.models.pages import Collection, IssuedDocument, StaffSecurity

__all__ = ["Collection", "IssuedDocument", "StaffSecurity"]
