"""`python -m cchc_rules` runs the `cchc` command."""

from cchc_rules.cli import run

run()
