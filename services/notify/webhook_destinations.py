"""Where a webhook may send: an agency system on a public address, never the hub's own network.

A webhook is registered by an agency's user and then called by the hub, so an unchecked URL would let that
user make the hub POST to whatever it can reach — its own API on loopback, the database's host, a cloud
metadata endpoint (server-side request forgery). Every address the host name resolves to must be global
(not loopback, private, link-local, shared, reserved, multicast or unspecified) unless it lies in
CASEHUB_WEBHOOK_ALLOWED_NETWORKS (e.g. an agency network reached over a VPN). Checked at registration and
again before each delivery, since a name can be re-pointed after it was registered. No well-kept library
does this for httpx (`advocate` is for requests and unmaintained), and the standard `ipaddress` module
already classifies the addresses, so it is written here."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str, int], Sequence[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the name resolves to (what a client may connect to)."""
    found: list[Any] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in found})


def allowed_networks(cidrs: Sequence[str]) -> list[Network]:
    """The setting's networks; a malformed one is an error at start, not a silent hole."""
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def refused_destination(url: str, allowed: Sequence[Network], resolve: Resolve = resolve_host) -> str | None:
    """Why the hub must not send to `url` (None: it may)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as bad:
        return f"not a valid URL ({bad})"
    if parts.username or parts.password:
        return "no user name or password in the URL (it would be stored in clear); the signature proves us"
    host = parts.hostname
    if not host:
        return "the URL names no host"
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as failure:
        return f"the host {host!r} cannot be resolved ({type(failure).__name__})"
    if not addresses:
        return f"the host {host!r} resolves to no address"
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if any(address in network for network in allowed):
            continue
        if not address.is_global or address.is_multicast:
            return (
                f"the host {host!r} resolves to {address}, which is not a public address; "
                "an agency network must be listed in CASEHUB_WEBHOOK_ALLOWED_NETWORKS"
            )
    return None
