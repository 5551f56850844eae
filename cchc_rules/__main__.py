"""`python -m cchc_rules` runs the `cchc` command."""

from cchc_rules.cli import run

if __name__ == "__main__":
    run()
