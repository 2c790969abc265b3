"""Who may read ``/metrics``: scrapers on configured networks, or holding the scrape token.

The route names, statuses and latencies it shows say how the registry is used; they are not
for everyone who can reach the API. Pure decision, no I/O: the app applies it per request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Headers a reverse proxy adds: a request carrying one did not start at its peer.
_FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``127.0.0.0/8``, ``::1``, ``10.20.0.5``… (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen on a dual-stack socket is checked as the IPv4 address it is.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@dataclass(frozen=True, slots=True)
class ScrapePolicy:
    networks: tuple[IPNetwork, ...]
    #: SHA-256 of the bearer token a scraper may present; None: networks only.
    token_sha256: bytes | None
    trusted_proxies: frozenset[str]

    @classmethod
    def create(
        cls, networks: Iterable[str], token: str | None, trusted_proxies: Iterable[str]
    ) -> ScrapePolicy:
        digest = hashlib.sha256(token.encode()).digest() if token else None
        return cls(parse_networks(networks), digest, frozenset(trusted_proxies))

    def allows(self, peer: str | None, headers: Mapping[str, str]) -> bool:
        """``headers`` with lower-case names, as ASGI gives them."""
        if self._token_ok(headers.get("authorization", "")):
            return True
        client = peer
        if any(name in headers for name in _FORWARDING_HEADERS):
            # Forwarded by a proxy: believe it only when it is one of ours, and take the
            # address it appended (the right-most); otherwise the real client is unknown and
            # a loopback proxy would open the metrics to the world.
            forwarded_for = headers.get("x-forwarded-for", "")
            if peer not in self.trusted_proxies or not forwarded_for:
                return False
            client = forwarded_for.split(",")[-1]
        ip = _address(client) if client else None
        return ip is not None and any(ip in net for net in self.networks)

    def _token_ok(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        if self.token_sha256 is None or scheme.lower() != "bearer" or not token.strip():
            return False
        # Digests compared in constant time: the length of the token is not revealed either.
        return hmac.compare_digest(
            hashlib.sha256(token.strip().encode()).digest(), self.token_sha256
        )
