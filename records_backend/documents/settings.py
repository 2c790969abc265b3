"""Settings of the document service (env prefix ``SIJILL_DOCUMENTS_``, TOML ``[documents]``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from sijill.settings import ServiceSettings


class DocumentSettings(ServiceSettings):
    """Where keys and the revocation list live, and what the paper points verifiers to."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_DOCUMENTS_", extra="ignore")

    toml_section: ClassVar[str] = "documents"

    #: Printed under the QR code: the public verification page.
    verify_url: str | None = None

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def keys_dir(self) -> Path:
        return self.documents_dir / "keys"
