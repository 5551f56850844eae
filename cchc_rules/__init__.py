"""cchc_rules: the administrative reform index (Chỉ số CCHC) as checkable rules.

    >>> import cchc_rules
    >>> rules = cchc_rules.load("rules/hai-duong/xa/2023.cchc")
    >>> result = rules.evaluate("examples/thanh-thuy-2023/facts.yaml")
    >>> (str(result.score), str(result.max), str(result.percent))
    ('66.245', '74', '89.52')
    >>> str(result["7.2.2"].score), str(result["7.2.2"].lost)
    ('2.292', '0.708')

Names are imported on first use, so `cchc --help` starts without loading
pydantic models it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cchc_rules.errors import (
        CchcError,
        CheckError,
        Diagnostic,
        EvaluationError,
        FactsError,
        RuleLoadError,
        RuleSyntaxError,
    )
    from cchc_rules.ranking import Ranked, rank
    from cchc_rules.result import NodeResult, Result
    from cchc_rules.ruleset import RuleSet, load

_EXPORTS = {
    "CchcError": "cchc_rules.errors",
    "CheckError": "cchc_rules.errors",
    "Diagnostic": "cchc_rules.errors",
    "EvaluationError": "cchc_rules.errors",
    "FactsError": "cchc_rules.errors",
    "RuleLoadError": "cchc_rules.errors",
    "RuleSyntaxError": "cchc_rules.errors",
    "NodeResult": "cchc_rules.result",
    "Ranked": "cchc_rules.ranking",
    "rank": "cchc_rules.ranking",
    "Result": "cchc_rules.result",
    "RuleSet": "cchc_rules.ruleset",
    "load": "cchc_rules.ruleset",
}

__all__ = [
    "CchcError",
    "CheckError",
    "Diagnostic",
    "EvaluationError",
    "FactsError",
    "NodeResult",
    "Ranked",
    "Result",
    "RuleLoadError",
    "RuleSet",
    "RuleSyntaxError",
    "load",
    "rank",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cchc_rules' has no attribute {name!r}")
