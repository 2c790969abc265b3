"""Settings of the staff pages and the portal (env prefix ``SIJILL_WEB_``, TOML ``[web]``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from records_backend.security.totp import DEFAULT_TOTP_ROLES
from sijill.settings import ServiceSettings


class WebSettings(ServiceSettings):
    """Cookies, the reverse proxy the portal trusts, rate limits and the TOTP issuer."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_WEB_", extra="ignore")

    toml_section: ClassVar[str] = "web"

    #: Cookies only over HTTPS. Browsers treat http://localhost and 127.0.0.1 as secure too.
    cookie_secure: bool = True
    #: Addresses of reverse proxies whose X-Forwarded-For is believed; nobody else's is.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: Portal submissions and status checks allowed per client address and minute.
    portal_rate_per_minute: int = Field(default=10, ge=1)
    totp_issuer: str = "Sijill Meknes"
    #: Command that prints a PDF read on its standard input at the counter's office printer,
    #: e.g. ``["lp", "-d", "office-mk01"]``; empty: the clerk prints from the browser.
    print_command: list[str] = Field(default_factory=list)
    #: Roles that must use a TOTP second factor, on the staff pages and at the API's login.
    totp_roles: list[str] = Field(default_factory=lambda: list(DEFAULT_TOTP_ROLES))
