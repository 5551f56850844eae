"""cchc_rules: the administrative reform index (Chỉ số CCHC) as checkable rules.

>>> import cchc_rules
>>> rules = cchc_rules.load("rules/hai-duong/xa/2023.cchc")
>>> result = rules.evaluate("examples/thanh-thuy-2023/facts.yaml")
>>> str(result["7.2.2"].score)
'2.292'
"""

from cchc_rules.errors import (
    CchcError,
    CheckError,
    Diagnostic,
    EvaluationError,
    FactsError,
    RuleLoadError,
    RuleSyntaxError,
)
from cchc_rules.result import NodeResult, Result
from cchc_rules.ruleset import RuleSet, load

__all__ = [
    "CchcError",
    "CheckError",
    "Diagnostic",
    "EvaluationError",
    "FactsError",
    "NodeResult",
    "Result",
    "RuleLoadError",
    "RuleSet",
    "RuleSyntaxError",
    "load",
]
__version__ = "0.1.0"
