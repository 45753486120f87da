"""The entity partition: strong keys link, cap and stop-list prevent explosions, order never matters."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from consumers.entity.keys import MatchKey, keys_of
from consumers.entity.partition import LinkRules, entity_id_of, partition
from consumers.entity.stoplist import bundled_stop_list, parse_stop_list, stop_key

PHONE = MatchKey("phone", "+84912345678")
TAX = MatchKey("tax_code", "0101234567")
NAME = MatchKey("name", "son xinh store")


def entities(occurrences: list[tuple[str, MatchKey]], rules: LinkRules = LinkRules()) -> dict[str, str]:
    subjects = {s for s, _ in occurrences}
    carriers: dict[MatchKey, int] = defaultdict(int)
    for _, key in set(occurrences):
        carriers[key] += 1
    return partition(subjects, occurrences, carriers, rules).entity_of


def groups(entity_of: dict[str, str]) -> set[frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for subject, entity in entity_of.items():
        found[entity].add(subject)
    return {frozenset(members) for members in found.values()}


def test_subjects_sharing_a_strong_key_are_one_entity_named_after_its_smallest_member() -> None:
    found = entities([("B", PHONE), ("A", PHONE), ("C", TAX)])
    assert found["A"] == found["B"] == entity_id_of(["A", "B"]) != found["C"]
    assert found["A"].startswith("E-") and "A" not in found["A"][2:]


def test_links_are_transitive_through_different_keys() -> None:
    found = entities([("A", PHONE), ("B", PHONE), ("B", TAX), ("C", TAX)])
    assert groups(found) == {frozenset("ABC")}


def test_weak_keys_never_link() -> None:
    assert groups(entities([("A", NAME), ("B", NAME)])) == {frozenset("A"), frozenset("B")}


def test_a_key_on_more_subjects_than_the_cap_links_none_of_them() -> None:
    occurrences = [(f"S{i:05d}", PHONE) for i in range(10_000)]
    found = entities(occurrences, LinkRules(cap=20))
    assert len(set(found.values())) == 10_000
    at_cap = entities(occurrences[:20], LinkRules(cap=20))
    assert len(set(at_cap.values())) == 1


def test_a_capped_key_leaves_the_other_links_of_a_chain_standing() -> None:
    hub = [(f"H{i:02d}", PHONE) for i in range(25)]
    chain = [
        ("A", PHONE),
        ("A", TAX),
        ("B", TAX),
        ("B", MatchKey("email", "b@x.vn")),
        ("C", MatchKey("email", "b@x.vn")),
    ]
    found = entities(hub + chain, LinkRules(cap=20))
    assert frozenset("ABC") in groups(found)
    assert all(len(g) == 1 for g in groups(found) if g != frozenset("ABC"))


def test_stop_listed_keys_and_blocked_occurrences_do_not_link() -> None:
    occurrences = [("A", PHONE), ("B", PHONE), ("C", PHONE), ("A", TAX), ("D", TAX)]
    stopped = entities(occurrences, LinkRules(stopped=frozenset({PHONE})))
    assert groups(stopped) == {frozenset("AD"), frozenset("B"), frozenset("C")}
    blocked = entities(occurrences, LinkRules(blocked=frozenset({("A", PHONE)})))
    assert groups(blocked) == {frozenset("AD"), frozenset("BC")}


def test_the_partition_does_not_depend_on_the_order_of_occurrences() -> None:
    rng = random.Random(389)
    keys = [MatchKey("phone", f"+8491{i:07d}") for i in range(40)]
    occurrences = [(f"S{rng.randrange(120):03d}", rng.choice(keys)) for _ in range(300)]
    reference = entities(occurrences, LinkRules(cap=6))
    for _ in range(5):
        rng.shuffle(occurrences)
        assert entities(occurrences, LinkRules(cap=6)) == reference


def test_a_payload_gives_strong_and_weak_keys_with_shop_id_and_url_agreeing() -> None:
    payload = {
        "subject_id": "S1",
        "display_name": "Son Xinh Store",
        "platform": "shopee",
        "shop_id": "SonXinh.Official",
        "shop_url": "https://m.shopee.vn/sonxinh.official?smtt=0",
        "phone": "0912 345 678",
        "tax_code": "N/A",
        "address": "Số 45 Lê Lợi, Q.1, TP.HCM",
    }
    found = {key for key, _raw in keys_of(payload)}
    assert found == {
        MatchKey("shop", "shopee:sonxinh.official"),
        MatchKey("phone", "+84912345678"),
        NAME,
        MatchKey("address", "45 le loi quan 1 ho chi minh"),
    }
    assert {k.kind for k in found if k.strong} == {"shop", "phone"}


def test_a_zalo_link_with_a_phone_also_gives_the_phone() -> None:
    found = {key for key, _ in keys_of({"platform": "zalo", "shop_url": "https://zalo.me/0912345678"})}
    assert found == {MatchKey("shop", "zalo:+84912345678"), PHONE}


def test_the_bundled_stop_list_is_versioned_and_normalises_its_values() -> None:
    stop_list = bundled_stop_list()
    assert stop_list.version
    assert MatchKey("email", "noemail@gmail.com") in stop_list
    assert stop_key("email", "No.Email@GoogleMail.com") in stop_list
    assert stop_key("phone", "1900 1221") is None  # a hotline is refused by the normaliser already


def test_a_stop_list_without_a_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        parse_stop_list("kind,value,reason,source\nemail,a@b.vn,x,y\n")
