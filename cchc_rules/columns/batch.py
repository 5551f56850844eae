"""One batch's state while it is evaluated, and what a traced batch records."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from cchc_rules.columns import arithmetic as ar
from cchc_rules.columns.arithmetic import Num

# What a traced batch records: a fact read, a node referred to, a step taken.
FACT, REF, STEP = 0, 1, 2


class Vals(list[Any]):
    """A column of values that are not numbers (dates, texts, yes/no, whole numbers of a rounding)."""


def value_column(column: Any, kind: str) -> Any:
    """A column as a step's argument: numbers as they are, other values marked as `Vals`."""
    return column if kind == "num" else Vals(column)


def step_args(*items: Any, at: list[int] | None = None) -> Callable[[int, Any], tuple[Any, ...]]:
    """The arguments of a step's sentence for the unit at position k of the step's units.

    Items are columns of numbers (numerators, denominators), `Vals` columns, or the same value
    for every unit; `at` maps the step's units to positions in those columns when they are fewer.
    """

    specs: list[tuple[int, Any, Any]] = []  # 0: the same for every unit, 1/2: numbers, 3: other values
    for item in items:
        if type(item) is tuple:
            n, d = item
            specs.append((1 if type(d) is int else 2, n, d))
        elif type(item) is Vals:
            specs.append((3, item, None))
        else:
            specs.append((0, item, None))

    def get(k: int, tracer: Any) -> tuple[Any, ...]:
        j = at[k] if at is not None else k
        return tuple(
            [
                a if kind == 0 else Fraction(a[j], d) if kind == 1 else Fraction(a[j], d[j]) if kind == 2 else a[j]
                for kind, a, d in specs
            ]
        )

    return get


class Event:
    """A fact read, a node referred to, or a step taken, by some units of a batch."""

    __slots__ = ("args", "item", "rows", "skip", "what", "where")

    def __init__(self, what: int, rows: list[int], skip: frozenset[int] | None, item: Any, args: Any):
        self.what = what
        self.rows = rows
        self.skip = skip
        self.item = item
        self.args = args
        self.where: dict[int, int] | None = None

    def at(self, r: int, everyone: list[int]) -> int | None:
        """Where unit `r` is among this event's units (None when it is not)."""
        if self.rows is everyone:
            k: int | None = r
        else:
            if self.where is None:
                self.where = {row: k for k, row in enumerate(self.rows)}
            k = self.where.get(r)
        if k is None or (self.skip is not None and r in self.skip):
            return None
        return k


def gather(column: Any, rows: list[int], batch: Batch) -> Any:
    """A full-length column's values at `rows` (the column itself when `rows` is every unit)."""
    return column if rows is batch.all else [column[r] for r in rows]


class Batch:
    """The state of one batch's evaluation."""

    __slots__ = (
        "all",
        "chosen",
        "done",
        "effective",
        "events",
        "every_given",
        "lost_at",
        "na",
        "na_busy",
        "nodes_na",
        "num",
        "other",
        "owned",
        "pending",
        "quiet",
        "raw",
        "score",
        "shared",
        "signal",
        "slow",
        "stack",
        "totals",
        "zeros",
    )

    def __init__(self, size: int, nodes: int):
        self.all = list(range(size))
        self.slow: set[int] = set()
        self.every_given = False  # every unit read in columns gave every declared fact: none took a default
        self.num: dict[str, Num] = {}
        self.other: dict[str, list[Any]] = {}
        self.signal: dict[int, tuple[str, Any, str]] | None = None
        self.done = [False] * nodes
        self.score: list[list[int]] = [[] for _ in range(nodes)]
        self.effective: list[list[int]] = [[] for _ in range(nodes)]
        self.raw: list[Num | None] = [None] * nodes
        self.chosen: list[dict[int, tuple[Any, ...]]] = [{} for _ in range(nodes)]
        self.pending: dict[int, Callable[[], dict[int, tuple[Any, ...]]]] = {}  # chosen reasons, made when read
        self.na: list[list[str | None] | None] = [None] * nodes  # the n/a policy a node passes to its children
        self.nodes_na: dict[int, list[tuple[int, str]]] = {}  # row -> (node, policy) of its n/a nodes
        self.totals: tuple[list[int], ...] = ()  # columns: base, base maximum, bonus, penalty, total
        self.zeros = [0] * size
        self.lost_at: dict[int, list[int]] | None = None
        self.events: list[list[Event]] | None = None  # with a trace: what each node read and did, by units
        self.stack: list[int] = []
        self.quiet: list[int] = []  # depths of `stack` whose steps are not recorded now (`Tracer.hush`)
        self.shared: dict[int, list[int]] = {}
        self.owned: set[int] = set()  # nodes whose columns are their own (see `own`)
        self.na_busy: set[int] = set()  # nodes whose n/a policy is being worked out

    def chosen_of(self, i: int) -> dict[int, tuple[Any, ...]]:
        """Node `i`'s reasons unit by unit, for the units that lost points there."""
        make = self.pending.pop(i, None)
        if make is not None:
            self.chosen[i] = make()
        return self.chosen[i]

    def totals_of(self, r: int) -> tuple[int, int, int, int, int]:
        """Unit `r`'s base score, base maximum, bonus, penalty and total."""
        base, base_max, bonus, penalty, total = self.totals
        return base[r], base_max[r], bonus[r], penalty[r], total[r]

    def maxima(self, declared: int) -> list[int]:
        """A column holding `declared` for every unit, shared (see `own`)."""
        found = self.shared.get(declared)
        if found is None:
            found = self.shared[declared] = [declared] * len(self.all)
        return found

    def summed_maxima(self, nodes: tuple[int, ...]) -> list[int]:
        """Row by row, the sum of some nodes' maximum columns.

        While no unit made one of them n/a, each is a shared column of its declared maximum:
        their sum is then one number, and its column shared too.
        """
        shared = self.shared
        total = 0
        for k in nodes:
            column = self.effective[k]
            value = column[0] if column else 0
            if shared.get(value) is not column:
                return ar.summed(self.effective, nodes, len(self.all))
            total += value
        return self.maxima(total)

    def own(self, i: int) -> tuple[list[int], list[int]]:
        """Node `i`'s score and maximum columns, copied before they are first written unit by unit.

        Until then a node may share its columns: all zeros, every unit's maximum, or its one child's.
        """
        if i not in self.owned:
            self.score[i] = list(self.score[i])
            self.effective[i] = list(self.effective[i])
            self.owned.add(i)
        return self.score[i], self.effective[i]

    def note(self, what: int, rows: list[int], item: Any, args: Any = None) -> None:
        """Record, for the units at `rows`, what the current node read or did (units a ratio stopped excluded)."""
        if rows:
            if what == STEP and self.quiet and self.quiet[-1] == len(self.stack):
                return  # a `na when` or reason condition of the current node: not the score's steps
            skip = frozenset(self.signal) if self.signal else None
            events = self.events[self.stack[-1]]  # type: ignore[index]
            if what == FACT:
                last = events[-1] if events else None
                if last is not None and last.what == FACT and last.rows is rows and last.skip == skip:
                    last.item.append(item)  # facts read one after another by the same units: one event
                    return
                item = [item]
            events.append(Event(what, rows, skip, item, args))

    def fail(self, row: int) -> None:
        """The per-unit code would refuse this row here (unless a ratio already decided its formula)."""
        if self.signal is None or row not in self.signal:
            self.slow.add(row)
