"""A fine above the legal maximum of its violation is refused by the contract, in the importer and the hub."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consumers.materializer import Materializer
from consumers.source import InboundRecord
from schemas.bounds import MAX_VND
from schemas.codec import CaseEventCodec
from schemas.errors import ContractViolation
from schemas.events import LegalBasis, PenaltyDecided, new_event
from schemas.fine_limits import check_fine_within_maximum, offender_of
from schemas.normalisation.organisation import is_organisation_name
from schemas.reference import Offender, datasets, fine_maxima_on, fine_maximum
from schemas.validation import check_event
from tests.fakes import ListSink, ListSource, MemoryCaseStore

DAY = date(2025, 3, 10)
COUNTERFEIT = LegalBasis(instrument="98/2020/NĐ-CP", article="9")
CODEC = CaseEventCodec()


def penalty(fine: int, name: str | None, basis: LegalBasis | None = COUNTERFEIT) -> PenaltyDecided:
    return PenaltyDecided(
        decision_number="12/QĐ-XPVPHC", fine_vnd=fine, violator_name=name, legal_basis=basis
    )


def test_the_issue_case_900_million_for_counterfeit_goods_sold_by_an_individual_is_refused() -> None:
    with pytest.raises(ContractViolation) as refused:
        check_fine_within_maximum(penalty(900_000_000, "Nguyễn Thị Hằng"), DAY)
    message = str(refused.value)
    expected = "fine_vnd: tiền phạt 900.000.000 đ vượt mức tối đa 200.000.000 đ đối với cá nhân"
    assert message.startswith(expected)
    assert "Điều 4 Nghị định 98/2020/NĐ-CP" in message


def test_an_organisation_may_be_fined_twice_an_individuals_maximum_and_no_more() -> None:
    company = "Công ty TNHH Giày Việt"
    check_fine_within_maximum(penalty(400_000_000, company), DAY)
    with pytest.raises(ContractViolation, match=r"400\.000\.000 đ đối với tổ chức"):
        check_fine_within_maximum(penalty(400_000_001, company), DAY)
    with pytest.raises(ContractViolation, match="đối với cá nhân"):
        check_fine_within_maximum(penalty(200_000_001, "Shop Mỹ phẩm Hằng"), DAY)


def test_the_ceiling_follows_the_cited_article_and_the_date() -> None:
    smuggled = LegalBasis(instrument="98/2020/ND-CP", article="15")  # instrument spelt without diacritics
    with pytest.raises(ContractViolation, match="'smuggled'"):
        check_fine_within_maximum(penalty(100_000_001, "Lê Văn Bình", smuggled), DAY)
    uncited_article = LegalBasis(instrument="98/2020/NĐ-CP", article="70")  # bounded by the decree's highest
    check_fine_within_maximum(penalty(400_000_000, None, uncited_article), DAY)
    with pytest.raises(ContractViolation):
        check_fine_within_maximum(penalty(400_000_001, None, uncited_article), DAY)
    before_the_decree = date(2019, 6, 1)
    check_fine_within_maximum(penalty(900_000_000, "Nguyễn Văn A"), before_the_decree)


def test_no_ceiling_is_guessed_where_the_law_has_none_or_it_is_unverified() -> None:
    tax = LegalBasis(instrument="125/2020/NĐ-CP", article="17")  # 1-3x the tax evaded: no fixed maximum
    check_fine_within_maximum(penalty(5_000_000_000, "Trần Văn Cường", tax), DAY)
    check_fine_within_maximum(penalty(5_000_000_000, "Trần Văn Cường", None), DAY)
    assert fine_maximum("ip_infringement", DAY) is None  # carried with confidence U, not enforced
    assert fine_maximum("tax_evasion", DAY) is None


def test_a_known_category_picks_its_ceiling_even_without_a_legal_basis() -> None:
    with pytest.raises(ContractViolation, match=r"100\.000\.000 đ đối với cá nhân"):
        check_fine_within_maximum(penalty(150_000_000, "Lê Văn Bình", None), DAY, category="unknown_origin")


def test_every_enforced_ceiling_cites_its_article_and_doubles_for_organisations() -> None:
    rows = fine_maxima_on(DAY)
    assert {r.code for r in rows} >= {"counterfeit", "banned", "smuggled", "unknown_origin"}
    for row in rows:
        assert row.maximum_article and row.source and row.valid_from
        assert row.organisation_max_vnd == 2 * row.individual_max_vnd
    assert "fine_maxima" in datasets()


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("Công ty TNHH Giày Việt", True),
        ("CTY CP Thương mại ABC", True),
        ("HTX Nông sản sạch", True),
        ("ABC Trading Co., Ltd", True),
        ("Chi nhánh Công ty Hưng Thịnh", True),
        ("Nguyễn Văn Công", False),  # "Công" alone is a given name, not a legal form
        ("Shop Mỹ phẩm Hằng", False),
        ("Hộ kinh doanh Trần Văn Tý", False),  # a household business is fined as an individual
        ("", False),
    ],
)
def test_organisation_names_are_told_by_their_legal_form(name: str, organisation: bool) -> None:
    assert is_organisation_name(name) is organisation


def test_an_unnamed_violator_gets_the_higher_organisation_ceiling() -> None:
    assert offender_of(None) is Offender.ORGANISATION
    assert offender_of("Nguyễn Văn A") is Offender.INDIVIDUAL


NAMES = st.text(
    st.characters(exclude_categories=("Cc", "Cs")), max_size=40
)  # the contract refuses the others


LEGAL_FORM_WORDS = st.sampled_from(
    ["Công ty", "TNHH", "cty", "HTX", "Co., Ltd", "JSC", "Shop", "Hộ kinh doanh", " "]
)


@given(st.lists(NAMES | LEGAL_FORM_WORDS | st.none(), max_size=6).map(lambda parts: [p for p in parts if p]))
def test_the_remembered_answer_is_the_plain_functions_for_any_name(parts: list[str]) -> None:
    """`is_organisation_name` is remembered per name: asked twice (the second a hit), it answers as the
    plain function does, for names with and without legal forms."""
    name = " ".join(parts)
    plain = is_organisation_name.__wrapped__(name)
    assert is_organisation_name(name) is plain
    assert is_organisation_name(name) is plain
    assert is_organisation_name(None) is is_organisation_name.__wrapped__(None) is False


@given(fine=st.integers(min_value=0, max_value=MAX_VND), name=NAMES | st.none())
def test_any_fine_is_accepted_exactly_within_the_ceiling_of_its_offender(fine: int, name: str | None) -> None:
    limit = 200_000_000 if offender_of(name) is Offender.INDIVIDUAL else 400_000_000
    try:
        check_fine_within_maximum(penalty(fine, name or None), DAY)
        assert fine <= limit
    except ContractViolation:
        assert fine > limit


def test_the_materializer_dead_letters_a_fine_above_the_maximum_with_the_reason() -> None:
    at = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    too_high = new_event(
        case_id="VN-2025-QLTT-00001",
        agency="qltt",
        reporting_unit="Chi cục QLTT Bắc Ninh",
        payload=penalty(900_000_000, "Nguyễn Thị Hằng"),
        occurred_at=at,
        recorded_at=at,
        producer="tests",
        event_id=uuid.uuid4(),
    )
    with pytest.raises(ContractViolation):
        check_event(too_high)
    source = ListSource([[InboundRecord("casehub.cases.qltt", 0, 0, b"k", CODEC.encode(too_high))]])
    store, sink = MemoryCaseStore(), ListSink()
    materializer = Materializer(source=source, store=store, dead_letter_sink=sink, codec=CODEC, group="g")
    materializer.process(source.poll(0))
    assert store.state.events == {}
    (letter,) = sink.published
    assert letter.error_class == "ContractViolation"
    assert "vượt mức tối đa 200.000.000 đ đối với cá nhân" in letter.error_message
