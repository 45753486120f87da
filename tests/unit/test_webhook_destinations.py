"""Where webhooks may send (services/notify/webhook_destinations.py): public addresses only, unless the
network is allowed; the host's every address counts (a name resolving to one public and one private
address is refused)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notify.webhook_destinations import allowed_networks, refused_destination

PRIVATE = [
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "100.64.0.0/10",
    )
]


def resolving_to(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@given(
    st.sampled_from(PRIVATE).flatmap(lambda net: st.integers(0, net.num_addresses - 1).map(lambda i: net[i]))
)
def test_every_private_loopback_or_link_local_address_is_refused(address: ipaddress.IPv4Address) -> None:
    assert refused_destination("https://agency.example/hook", [], resolving_to(str(address)))
    assert refused_destination("https://agency.example/hook", PRIVATE, resolving_to(str(address))) is None


@pytest.mark.parametrize(
    "address", ["::1", "fe80::1%eth0", "fc00::5", "::ffff:127.0.0.1", "0.0.0.0", "224.0.0.1", "ff02::1"]
)
def test_special_ipv6_mapped_unspecified_and_multicast_addresses_are_refused(address: str) -> None:
    assert refused_destination("http://h.example/", [], resolving_to(address))


def test_a_public_address_is_allowed_but_one_private_address_among_them_is_enough_to_refuse() -> None:
    assert refused_destination("https://h.example/x", [], resolving_to("203.113.131.1")) is None
    reason = refused_destination("https://h.example/x", [], resolving_to("203.113.131.1", "10.1.2.3"))
    assert reason and "10.1.2.3" in reason and "CASEHUB_WEBHOOK_ALLOWED_NETWORKS" in reason


def test_credentials_bad_ports_no_host_and_unresolvable_names_are_refused_with_a_reason() -> None:
    public = resolving_to("203.113.131.1")
    assert "password" in (refused_destination("https://u:p@h.example/", [], public) or "")
    assert refused_destination("https://h.example:70000/", [], public)
    assert refused_destination("https:///path", [], public)

    def unresolvable(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    assert "cannot be resolved" in (refused_destination("https://nobody.invalid/", [], unresolvable) or "")


def test_allowed_networks_are_read_from_cidrs() -> None:
    assert allowed_networks(["10.8.0.0/16", " ", "fd00::/8"]) == [
        ipaddress.ip_network("10.8.0.0/16"),
        ipaddress.ip_network("fd00::/8"),
    ]
    with pytest.raises(ValueError):
        allowed_networks(["10.8.0.0/33"])


def test_settings_refuse_a_malformed_network_at_start() -> None:
    from services.settings import Settings

    with pytest.raises(ValueError, match="CIDR"):
        Settings(webhook_allowed_networks=["not-a-network"])
