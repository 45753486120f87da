"""The network drawing: well-formed SVG whatever the names and ids, every subject a link to its dossier."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from services.web.network_graph import MAX_NODES, Edge, Node, network_svg

SVG = "{http://www.w3.org/2000/svg}"
# XML 1.0 cannot carry most control characters even escaped; the store refuses them in ids and names
# (schemas/validation), so the drawing is tested on everything else.
text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def test_a_network_has_a_circle_per_subject_a_line_per_linked_pair_and_escapes_names() -> None:
    nodes = [Node("S1", "<script>alert(1)</script>"), Node("S2", "Trần & Co"), Node("S/3?x", "x")]
    edges = [
        Edge("S1", "S2", "phone", "+84912345678"),
        Edge("S1", "S2", "email", "a@b.vn"),
        Edge("S2", "S/3?x", "shop", "shopee:abc"),
        Edge("S1", "HIDDEN", "phone", "+84900000000"),
    ]
    svg = str(network_svg(nodes, edges, asked="S1"))
    root = parsed(svg)
    assert len(root.findall(f".//{SVG}circle")) == 3
    assert len(root.findall(f".//{SVG}line")) == 2  # two pairs; the edge to an unshown node is dropped
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    hrefs = sorted(a.get("href") or "" for a in root.findall(f".//{SVG}a"))
    assert hrefs == ["/subjects/S%2F3%3Fx", "/subjects/S1", "/subjects/S2"]
    assert "HIDDEN" not in svg and "+84900000000" not in svg


def test_nothing_to_draw_draws_nothing_and_huge_networks_are_capped() -> None:
    assert str(network_svg([], [])) == ""
    many = [Node(f"S{i}", f"n{i}") for i in range(MAX_NODES + 5)]
    root = parsed(str(network_svg(many, [])))
    assert len(root.findall(f".//{SVG}circle")) == MAX_NODES
    assert "+5" in "".join(root.itertext())


@given(st.lists(st.tuples(text, text), min_size=1, max_size=12, unique_by=lambda p: p[0]), st.data())
def test_any_ids_and_names_give_well_formed_svg(pairs: list[tuple[str, str]], data: st.DataObject) -> None:
    nodes = [Node(i, name) for i, name in pairs]
    ids = [n.node_id for n in nodes]
    edges = data.draw(
        st.lists(st.builds(Edge, st.sampled_from(ids), st.sampled_from(ids), text, text), max_size=10)
    )
    root = parsed(str(network_svg(nodes, edges)))
    assert len(root.findall(f".//{SVG}circle")) == len(nodes)
    assert {c.findtext(f"{SVG}title") for c in root.findall(f".//{SVG}circle")} == set(ids)
