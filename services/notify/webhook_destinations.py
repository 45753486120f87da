"""Where a webhook may send: an agency system on a public address, never the hub's own network.

A webhook is registered by an agency's user and then called by the hub, so an unchecked URL would let that
user make the hub POST to whatever it can reach — its own API on loopback, the database's host, a cloud
metadata endpoint (server-side request forgery). Every address the host name resolves to must be global
(not loopback, private, link-local, shared, reserved, multicast or unspecified), and so must the IPv4
address an IPv6 one carries (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64: on a network with such a
gateway, `64:ff9b::a00:1` reaches 10.0.0.1), unless it lies in CASEHUB_WEBHOOK_ALLOWED_NETWORKS (e.g. an
agency network reached over a VPN).

Checked at registration and again before each delivery, since a name can be re-pointed after it was
registered — and a delivery connects to the address it checked (`Destination.pinned`), not to whatever a
second lookup answers: a name that answers a public address to the check and 127.0.0.1 a moment later (DNS
rebinding) would otherwise pass. The URL's host stays the Host header and the TLS server name, so
certificates are verified against the name as before.

No well-kept library does this for httpx (`advocate` is for requests and unmaintained), and the standard
`ipaddress` module already classifies the addresses, so it is written here."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], Sequence[str]]

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class DestinationRefused(ValueError):
    """The hub must not send to this URL; the message says why."""


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the name resolves to, in the resolver's order of preference (what a client tries)."""
    found: list[Any] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def allowed_networks(cidrs: Sequence[str]) -> list[Network]:
    """The setting's networks; a malformed one is an error at start, not a silent hole."""
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def carried_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for on some network (none for a plain IPv6 address)."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    carried: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        carried.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        carried.extend(address.teredo)
    if any(address in prefix for prefix in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return carried


def _public(address: Address) -> bool:
    return address.is_global and not address.is_multicast


def address_refusal(address: Address, allowed: Sequence[Network]) -> str | None:
    """Why the hub must not connect to `address` (None: it may). An IPv6 address that carries IPv4 ones
    is judged by them: refused if one is neither public nor allowed, accepted if all are (so
    ::ffff:203.113.131.1 passes though `ipaddress` calls the mapped range non-global)."""

    def acceptable(candidate: Address) -> bool:
        return _public(candidate) or any(candidate in network for network in allowed)

    if any(address in network for network in allowed):
        return None
    carried = carried_ipv4(address)
    for inner in carried:
        if not acceptable(inner):
            return f"{address}, which carries {inner}, not a public address"
    if not _public(address) and not carried:
        return f"{address}, which is not a public address"
    return None


@dataclass(frozen=True)
class Destination:
    """A webhook URL and the checked address the delivery connects to."""

    url: str
    address: Address

    def pinned(self) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
        """(URL naming the address, Host header, request extensions): connect to the checked address while
        the server sees the URL's name as Host and TLS server name (SNI, certificate check)."""
        named = httpx.URL(self.url)
        host = named.raw_host.decode("ascii")
        return (
            named.copy_with(host=str(self.address)),
            {"Host": named.netloc.decode("ascii")},
            {"sni_hostname": host},
        )


def checked_destination(url: str, allowed: Sequence[Network], resolve: Resolve = resolve_host) -> Destination:
    """The address the hub may send `url` to; raises DestinationRefused saying why not."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as bad:
        raise DestinationRefused(f"not a valid URL ({bad})") from None
    if parts.username or parts.password:
        raise DestinationRefused(
            "no user name or password in the URL (it would be stored in clear); the signature proves us"
        )
    host = parts.hostname
    if not host:
        raise DestinationRefused("the URL names no host")
    try:
        texts = resolve(host, port)
        addresses = [ipaddress.ip_address(text.split("%", 1)[0]) for text in texts]
    except (OSError, UnicodeError, ValueError) as failure:
        raise DestinationRefused(f"the host {host!r} cannot be resolved ({type(failure).__name__})") from None
    if not addresses:
        raise DestinationRefused(f"the host {host!r} resolves to no address")
    for address in addresses:
        if refusal := address_refusal(address, allowed):
            raise DestinationRefused(
                f"the host {host!r} resolves to {refusal}; "
                "an agency network must be listed in CASEHUB_WEBHOOK_ALLOWED_NETWORKS"
            )
    return Destination(url, addresses[0])


def refused_destination(url: str, allowed: Sequence[Network], resolve: Resolve = resolve_host) -> str | None:
    """Why the hub must not send to `url` (None: it may)."""
    try:
        checked_destination(url, allowed, resolve)
    except DestinationRefused as refused:
        return str(refused)
    return None
