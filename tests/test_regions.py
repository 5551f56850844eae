"""Regions (the exact number sets behind tier checks) against a model: membership point by point.

A region is a union of pieces with open or closed ends, for whole numbers or
for all rationals. Every operation is checked on a grid of sample points
(integers, halves, quarters, and each piece's own ends) against what the set
operation means, and the result must be in normal form: sorted, disjoint,
not touching, with no empty piece.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_rules.checks.regions import Piece, Region
from cchc_rules.numbers import vi

F = Fraction
ENDS = st.one_of(st.none(), st.integers(-6, 6).map(F), st.integers(-24, 24).map(lambda n: F(n, 4)))


@st.composite
def pieces(draw: st.DrawFn) -> Piece:
    lo, hi = draw(ENDS), draw(ENDS)
    return Piece(lo, lo is not None and draw(st.booleans()), hi, hi is not None and draw(st.booleans()))


def in_piece(p: Piece, x: Fraction) -> bool:
    above = p.lo is None or p.lo < x or (p.lo == x and p.lo_closed)
    below = p.hi is None or x < p.hi or (x == p.hi and p.hi_closed)
    return above and below


def member(region: Region, x: Fraction) -> bool:
    if region.integral and x.denominator != 1:
        return False
    return any(in_piece(p, x) for p in region.pieces)


def raw_member(given_pieces: list[Piece], integral: bool, x: Fraction) -> bool:
    """What a region made of `given_pieces` must hold, from its definition."""
    if integral and x.denominator != 1:
        return False
    return any(in_piece(p, x) for p in given_pieces)


def grid(*regions: Region | list[Piece]) -> list[Fraction]:
    points = {F(n, 4) for n in range(-40, 41)}
    for r in regions:
        for p in r.pieces if isinstance(r, Region) else r:
            for end in (p.lo, p.hi):
                if end is not None:
                    points |= {end, end - F(1, 8), end + F(1, 8), end - 1, end + 1}
    return sorted(points)


def assert_normal(region: Region) -> None:
    """Sorted, disjoint, not touching, no empty piece; whole-number ends closed and integral."""
    for p in region.pieces:
        assert not p.empty()
        if p.lo is None:
            assert not p.lo_closed
        if p.hi is None:
            assert not p.hi_closed
        if region.integral:
            assert p.lo is None or (p.lo.denominator == 1 and p.lo_closed)
            assert p.hi is None or (p.hi.denominator == 1 and p.hi_closed)
    for a, b in zip(region.pieces, region.pieces[1:], strict=False):
        assert a.hi is not None and b.lo is not None
        if region.integral:
            assert b.lo > a.hi + 1
        else:
            assert a.hi < b.lo or (a.hi == b.lo and not a.hi_closed and not b.lo_closed)


@given(st.lists(pieces(), max_size=5), st.booleans())
def test_a_region_holds_exactly_the_numbers_of_its_pieces(given_pieces: list[Piece], integral: bool) -> None:
    region = Region(given_pieces, integral)
    assert_normal(region)
    for x in grid(given_pieces):
        assert member(region, x) == raw_member(given_pieces, integral, x), x
    assert region.empty() == (not any(member(region, x) for x in grid(given_pieces)))


@given(st.lists(pieces(), max_size=4), st.lists(pieces(), max_size=4), st.booleans())
def test_intersection_union_complement_and_difference(
    a_pieces: list[Piece], b_pieces: list[Piece], integral: bool
) -> None:
    """Both regions of one universe, as the tier checks use them: whole numbers, or all numbers."""
    a, b = Region(a_pieces, integral), Region(b_pieces, integral)
    both, either, not_a, a_not_b = a.intersect(b), a.union(b), a.complement(), a.minus(b)
    for region in (both, either, not_a, a_not_b):
        assert_normal(region)
    assert both.integral == either.integral == not_a.integral == a_not_b.integral == integral
    for x in grid(a, b):
        in_universe = x.denominator == 1 or not integral
        assert member(both, x) == (member(a, x) and member(b, x)), x
        assert member(either, x) == (member(a, x) or member(b, x)), x
        assert member(not_a, x) == (in_universe and not member(a, x)), x
        assert member(a_not_b, x) == (member(a, x) and not member(b, x)), x


@given(pieces())
def test_a_sample_lies_in_its_piece_and_prefers_the_lower_end(p: Piece) -> None:
    if p.empty():
        return
    x = p.sample()
    assert in_piece(p, x)
    if p.lo is not None and p.lo_closed:
        assert x == p.lo


@pytest.mark.parametrize(
    ("piece", "sample"),
    [
        (Piece(F(1), True, F(3), False), F(1)),
        (Piece(F(1), False, F(3), False), F(2)),
        (Piece(F(1), False, None, False), F(2)),
        (Piece(None, False, F(3), True), F(3)),
        (Piece(None, False, F(3), False), F(2)),
        (Piece(None, False, None, False), F(0)),
    ],
)
def test_samples(piece: Piece, sample: Fraction) -> None:
    assert piece.sample() == sample


@pytest.mark.parametrize(
    ("piece", "empty"),
    [
        (Piece(F(1), True, F(1), True), False),
        (Piece(F(1), True, F(1), False), True),
        (Piece(F(1), False, F(1), True), True),
        (Piece(F(2), True, F(1), True), True),
        (Piece(None, False, F(1), False), False),
        (Piece(F(1), False, None, False), False),
    ],
)
def test_empty_pieces(piece: Piece, empty: bool) -> None:
    assert piece.empty() == empty


def show(x: Fraction) -> str:
    return vi(x * 100) + "%"


@pytest.mark.parametrize(
    ("region", "words"),
    [
        (Region([Piece(F(1, 2), True, F(3, 4), False)]), "từ 50% đến dưới 75%"),
        (Region([Piece(F(1, 2), False, F(3, 4), True)]), "trên 50% đến 75%"),
        (Region([Piece(F(3, 4), True, None, False)]), "từ 75%"),
        (Region([Piece(None, False, F(1, 2), False)]), "dưới 50%"),
        (Region([Piece(None, False, F(1, 2), True)]), "đến 50%"),
        (Region([Piece(F(1, 2), True, F(1, 2), True)]), "đúng 50%"),
        (Region([Piece(None, False, None, False)]), "mọi giá trị"),
        (
            Region([Piece(None, False, F(0), False), Piece(F(1), False, None, False)]),
            "dưới 0%; trên 100%",
        ),
    ],
)
def test_regions_in_words(region: Region, words: str) -> None:
    assert region.describe(show) == words


def test_whole_numbers_round_inwards_and_touch_across_a_step() -> None:
    region = Region([Piece(F(1, 2), True, F(5, 2), False), Piece(F(3), True, F(4), True)], integral=True)
    assert region.pieces == [Piece(F(1), True, F(4), True)]  # 1, 2 then 3, 4: one run of whole numbers
    apart = Region([Piece(F(1), True, F(2), True), Piece(F(4), True, F(5), True)], integral=True)
    assert len(apart.pieces) == 2
    assert apart.complement().intersect(Region.of(Piece(F(0), True, F(6), True), True)).pieces == [
        Piece(F(0), True, F(0), True),
        Piece(F(3), True, F(3), True),
        Piece(F(6), True, F(6), True),
    ]


def test_a_region_is_of_all_numbers_unless_told_whole_numbers() -> None:
    half = Piece(F(1, 2), True, F(5, 2), True)
    assert Region([half]).integral is False and Region([half]).pieces == [half]
    assert Region.of(half).integral is False and Region.of(half).pieces == [half]
    whole = Region.of(half, integral=True)
    assert whole.integral is True and whole.pieces == [Piece(F(1), True, F(2), True)]


def test_an_operation_with_a_whole_number_region_keeps_whole_numbers() -> None:
    counts = Region([Piece(F(0), True, F(3), True)], integral=True)
    halves = Region([Piece(F(1, 2), True, F(5, 2), True)])
    both = counts.intersect(halves)
    assert both.integral and both.pieces == [Piece(F(1), True, F(2), True)]
    either = Region([Piece(F(0), True, F(1), True)], integral=True).union(Region([Piece(F(5, 2), True, F(7, 2), True)]))
    assert either.integral and either.pieces == [Piece(F(0), True, F(1), True), Piece(F(3), True, F(3), True)]


@pytest.mark.parametrize(
    ("a", "b", "common"),
    [
        # equal lower ends: open if either is open, whichever side it comes from
        (Piece(F(1), False, F(3), True), Piece(F(1), True, F(2), True), Piece(F(1), False, F(2), True)),
        (Piece(F(1), True, F(2), True), Piece(F(1), False, F(3), True), Piece(F(1), False, F(2), True)),
        # equal upper ends: likewise
        (Piece(F(1), True, F(2), False), Piece(F(0), True, F(2), True), Piece(F(1), True, F(2), False)),
        (Piece(F(0), True, F(2), True), Piece(F(1), True, F(2), False), Piece(F(1), True, F(2), False)),
    ],
)
def test_a_shared_end_is_open_when_either_side_leaves_it_out(a: Piece, b: Piece, common: Piece) -> None:
    assert Region([a]).intersect(Region([b])).pieces == [common]


@pytest.mark.parametrize(
    ("given", "merged"),
    [
        # same upper end, the first piece closed there: the merge stays closed
        ([Piece(F(0), True, F(2), True), Piece(F(1), True, F(2), False)], Piece(F(0), True, F(2), True)),
        # a piece inside an open-ended one does not close its end
        ([Piece(F(0), True, F(3), False), Piece(F(1), True, F(2), True)], Piece(F(0), True, F(3), False)),
        # a piece reaching further takes over the upper end and its closedness
        ([Piece(F(0), True, F(2), True), Piece(F(1), True, F(3), False)], Piece(F(0), True, F(3), False)),
    ],
)
def test_overlapping_pieces_merge_with_the_right_upper_end(given: list[Piece], merged: Piece) -> None:
    assert Region(given).pieces == [merged]


def test_a_complement_has_open_infinite_ends() -> None:
    assert Region([Piece(F(0), True, F(1), True)]).complement().pieces == [
        Piece(None, False, F(0), False),
        Piece(F(1), False, None, False),
    ]
    assert Region([]).complement().pieces == [Piece(None, False, None, False)]
