"""Exact sets of numbers made of intervals with open or closed ends, for tier tables.

A tier row `>= 75%` is [0.75, +∞), `from 50% to under 75%` is [0.5, 0.75):
whether a boundary value belongs to a row matters, so ends carry their
closedness. For whole-number subjects (counts) only integers count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True, order=True)
class Piece:
    """One interval; None ends are infinite (and open)."""

    lo: Fraction | None
    lo_closed: bool
    hi: Fraction | None
    hi_closed: bool

    def empty(self) -> bool:
        """True when no number lies in the piece."""
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def sample(self) -> Fraction:
        """A number inside the piece, preferring its lower end (for counterexamples)."""
        if self.lo is not None and self.lo_closed:
            return self.lo
        if self.lo is not None and self.hi is not None:
            return (self.lo + self.hi) / 2
        if self.lo is not None:
            return self.lo + 1
        if self.hi is not None:
            return self.hi if self.hi_closed else self.hi - 1
        return Fraction(0)


def _max_lo(a: Piece, b: Piece) -> tuple[Fraction | None, bool]:
    if a.lo is None:
        return b.lo, b.lo_closed
    if b.lo is None or a.lo > b.lo:
        return a.lo, a.lo_closed
    if b.lo > a.lo:
        return b.lo, b.lo_closed
    return a.lo, a.lo_closed and b.lo_closed


def _min_hi(a: Piece, b: Piece) -> tuple[Fraction | None, bool]:
    if a.hi is None:
        return b.hi, b.hi_closed
    if b.hi is None or a.hi < b.hi:
        return a.hi, a.hi_closed
    if b.hi < a.hi:
        return b.hi, b.hi_closed
    return a.hi, a.hi_closed and b.hi_closed


class Region:
    """A finite union of pieces, kept disjoint and sorted; `integral` keeps whole numbers only."""

    def __init__(self, pieces: list[Piece], integral: bool = False):
        self.integral = integral
        self.pieces = self._normalise(pieces)

    def _normalise(self, pieces: list[Piece]) -> list[Piece]:
        out = []
        for p in pieces:
            if self.integral:
                lo = None if p.lo is None else Fraction(math.ceil(p.lo) if p.lo_closed else math.floor(p.lo) + 1)
                hi = None if p.hi is None else Fraction(math.floor(p.hi) if p.hi_closed else math.ceil(p.hi) - 1)
                p = Piece(lo, lo is not None, hi, hi is not None)
            if not p.empty():
                out.append(p)
        out.sort(key=lambda p: (p.lo is not None, p.lo or 0, not p.lo_closed))
        merged: list[Piece] = []
        for p in out:
            if merged and self._touches(merged[-1], p):
                last = merged[-1]
                hi, hi_closed = (
                    (None, False)
                    if last.hi is None or p.hi is None
                    else (p.hi, p.hi_closed)
                    if p.hi > last.hi
                    else (last.hi, last.hi_closed or (p.hi == last.hi and p.hi_closed))
                )
                merged[-1] = Piece(last.lo, last.lo_closed, hi, hi_closed)
            else:
                merged.append(p)
        return merged

    def _touches(self, a: Piece, b: Piece) -> bool:
        if a.hi is None or b.lo is None:
            return True
        if self.integral:
            return b.lo <= a.hi + 1
        return b.lo < a.hi or (b.lo == a.hi and (a.hi_closed or b.lo_closed))

    @classmethod
    def of(cls, piece: Piece, integral: bool = False) -> Region:
        """A region of one piece."""
        return cls([piece], integral)

    def empty(self) -> bool:
        """True when the region holds no number."""
        return not self.pieces

    def intersect(self, other: Region) -> Region:
        """Numbers in both."""
        out = []
        for a in self.pieces:
            for b in other.pieces:
                lo, lo_c = _max_lo(a, b)
                hi, hi_c = _min_hi(a, b)
                out.append(Piece(lo, lo_c, hi, hi_c))
        return Region(out, self.integral or other.integral)

    def union(self, other: Region) -> Region:
        """Numbers in either."""
        return Region(self.pieces + other.pieces, self.integral or other.integral)

    def complement(self) -> Region:
        """Numbers not in the region."""
        out = []
        lo: Fraction | None = None
        lo_closed = False
        for p in self.pieces:
            if p.lo is not None:
                out.append(Piece(lo, lo_closed, p.lo, not p.lo_closed))
            if p.hi is None:
                return Region(out, self.integral)
            lo, lo_closed = p.hi, not p.hi_closed
        out.append(Piece(lo, lo_closed, None, False))
        return Region(out, self.integral)

    def minus(self, other: Region) -> Region:
        """Numbers in this region and not in the other."""
        return self.intersect(other.complement())

    def describe(self, show: object) -> str:
        """The region in words, e.g. "từ 50% đến dưới 75%"; `show` formats a number."""
        assert callable(show)
        parts = []
        for p in self.pieces:
            if p.lo is not None and p.hi is not None and p.lo == p.hi:
                parts.append(f"đúng {show(p.lo)}")
                continue
            low = "" if p.lo is None else f"từ {show(p.lo)}" if p.lo_closed else f"trên {show(p.lo)}"
            high = "" if p.hi is None else f"đến {show(p.hi)}" if p.hi_closed else f"dưới {show(p.hi)}"
            if p.lo is not None and p.hi is not None and not p.hi_closed:
                high = f"đến dưới {show(p.hi)}"
            parts.append(" ".join(x for x in (low, high) if x) or "mọi giá trị")
        return "; ".join(parts)
