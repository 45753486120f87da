"""What authentication failures and public tips are counted against (services.api.deps.client_key)."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from services.api.deps import client_key

IPV6 = st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address)
IPV4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)


@given(IPV6, st.integers(0, 2**64 - 1))
def test_every_address_of_an_ipv6_64_is_one_client(address: ipaddress.IPv6Address, host: int) -> None:
    if address.ipv4_mapped is not None:
        return
    neighbour = ipaddress.IPv6Address((int(address) >> 64 << 64) | host)
    assert client_key(str(address)) == client_key(str(neighbour))
    assert client_key(str(address)).endswith("/64")


@given(IPV6, IPV6)
def test_ipv6_addresses_in_different_64s_are_different_clients(
    a: ipaddress.IPv6Address, b: ipaddress.IPv6Address
) -> None:
    if a.ipv4_mapped is not None or b.ipv4_mapped is not None:
        return
    assert (client_key(str(a)) == client_key(str(b))) == (int(a) >> 64 == int(b) >> 64)


@given(IPV4)
def test_an_ipv4_address_is_its_own_client_however_it_is_written(address: ipaddress.IPv4Address) -> None:
    assert client_key(str(address)) == str(address)
    assert client_key(f"::ffff:{address}") == str(address)


def test_a_host_that_is_no_address_stays_as_it_is() -> None:
    assert client_key("testclient") == "testclient"
    assert client_key("fe80::1%eth0") == "fe80::/64"
