"""Where webhooks may send (services/notify/webhook_destinations.py): public addresses only, unless the
network is allowed; the host's every address counts (a name resolving to one public and one private
address is refused)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notify.webhook_destinations import allowed_networks, checked_destination, refused_destination

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


def _carriers(inner: ipaddress.IPv4Address) -> list[str]:
    """The IPv6 forms that reach `inner` on a network with the matching gateway or stack."""
    value = int(inner)
    return [
        str(ipaddress.IPv6Address((0xFFFF << 32) | value)),  # IPv4-mapped
        str(ipaddress.IPv6Address(value)),  # IPv4-compatible (deprecated)
        str(ipaddress.IPv6Address((0x2002 << 112) | (value << 80))),  # 6to4
        str(ipaddress.IPv6Address((0x0064FF9B << 96) | value)),  # NAT64, well-known prefix
        str(ipaddress.IPv6Address((0x0064FF9B0001 << 80) | value)),  # NAT64, local-use prefix
    ]


@given(
    st.sampled_from(PRIVATE).flatmap(lambda net: st.integers(0, net.num_addresses - 1).map(lambda i: net[i])),
    st.integers(0, 4),
)
def test_an_ipv6_address_carrying_a_private_ipv4_one_is_refused(
    inner: ipaddress.IPv4Address, form: int
) -> None:
    """64:ff9b::a00:1 is a global IPv6 address to `ipaddress`, yet a NAT64 gateway sends it to 10.0.0.1; the
    same holds for 6to4 and the IPv4-compatible and -mapped forms."""
    carrier = _carriers(inner)[form]
    reason = refused_destination("https://h.example/", [], resolving_to(carrier))
    assert reason and str(inner) in reason, carrier
    assert refused_destination("https://h.example/", PRIVATE, resolving_to(carrier)) is None, carrier


@pytest.mark.parametrize("form", range(5))
def test_an_ipv6_address_carrying_a_public_ipv4_one_stays_allowed(form: int) -> None:
    carrier = _carriers(ipaddress.IPv4Address("203.113.131.1"))[form]
    assert refused_destination("https://h.example/", [], resolving_to(carrier)) is None, carrier


def test_a_delivery_connects_to_the_address_it_checked_under_the_urls_name() -> None:
    """DNS rebinding: a name may answer a public address to the check and 127.0.0.1 to the next lookup;
    the delivery must not look the name up again, but connect to the checked address."""
    answers = iter([["203.113.131.1"], ["127.0.0.1"]])
    destination = checked_destination("https://agency.example:8443/hook?x=1", [], lambda h, p: next(answers))
    url, headers, extensions = destination.pinned()
    assert str(url) == "https://203.113.131.1:8443/hook?x=1"
    assert headers == {"Host": "agency.example:8443"} and extensions == {"sni_hostname": "agency.example"}
    v6 = checked_destination("http://bücher.example/", [], resolving_to("2606:4700::1111", "203.113.131.1"))
    url, headers, extensions = v6.pinned()
    assert str(url) == "http://[2606:4700::1111]/" and headers == {"Host": "xn--bcher-kva.example"}
    assert extensions == {"sni_hostname": "xn--bcher-kva.example"}


def test_a_resolver_answer_that_is_no_address_is_a_refusal_not_a_crash() -> None:
    reason = refused_destination("https://h.example/", [], resolving_to("not-an-address"))
    assert reason and "cannot be resolved" in reason
