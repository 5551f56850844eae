"""Many units scored together, a column of values per fact and per node: the batch form of `compiler`.

`CompiledRules` scores one unit at a time, and most of what that costs is
Python's overhead per step, not arithmetic. `ColumnRules` evaluates every
expression once for a whole batch of units: a value is a list with one entry
per unit, and a number is a list of whole numerators over a denominator that
the column shares (facts, literals, node scores) or that each unit has (after
a division). Arithmetic stays exact, on Python integers, and no `Fraction` is
made per step.

Nothing is approximated or guessed. A unit whose facts are not plain
(evidence, a missing fact, a broken bound) or whose evaluation meets anything
the per-unit code refuses (a division by zero, no tier row matching, a score
outside [0, max]) is left to the per-unit path (`None` from
`ColumnBatch.result` and `ColumnBatch.row`), which validates and explains
it; a rule set whose expressions mix kinds of values in ways the columns do
not model is not compiled here at all (`Unsupported`). The tests require
results, JSON, traces and rank rows equal to the per-unit path's on the
shipped and on random rule sets.

Traces: a traced batch records, for the units concerned, which facts each
node read and which steps it took (`batch.Event`); a unit's derivation is
written from them when read (`ColumnTracer`). A node under a `na when`
condition, or a batch run without traces, is traced by evaluating the node
again with the per-unit code (`ReplayTracer`).

The stages, one module each: `arithmetic` (exact numbers in columns),
`batch` (one batch's state and what it records), `reading` (fact columns
from plain mappings), `expressions` (each expression compiled once to a
closure over columns), `evaluate` (each node evaluated once for a batch) and
`results` (a unit's result, row and trace, read out of the columns).
"""

from cchc_rules.columns.evaluate import ColumnRules, Unsupported
from cchc_rules.columns.results import BatchRow, ColumnBatch, ColumnTracer, ReplayTracer

__all__ = ["BatchRow", "ColumnBatch", "ColumnRules", "ColumnTracer", "ReplayTracer", "Unsupported"]
