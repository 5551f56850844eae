# Two entry points for a newcomer: `make demo` and `make test`.
# Both create .venv with the Python found as $(PYTHON) (3.11 or newer).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test fuzz mutation lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Install the package and score the shipped example (Thanh Thủy commune, 2023).
demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	$(BIN)/cchc check rules/hai-duong/xa/2023.cchc
	$(BIN)/cchc eval rules/hai-duong/xa/2023.cchc examples/thanh-thuy-2023/facts.yaml
	$(BIN)/cchc explain rules/hai-duong/xa/2023.cchc examples/thanh-thuy-2023/facts.yaml 7.2.2

# Install with the dev tools and run everything CI runs.
test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# Fuzz the parser, the checker and the facts reader with 12,000 random and mutated inputs
# (the normal test run tries a few hundred); anything but cchc's own errors fails.
fuzz: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	CCHC_FUZZ_EXAMPLES=12000 $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz.py

# Mutation testing of the evaluator (run as the reference interpreter) and the checker's passes,
# against tests/test_evaluator.py, test_checker.py and test_facts.py: about an hour on two cores.
# The score and the surviving mutants are in docs/testing.md.
mutation: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	rm -rf mutants
	CCHC_EVALUATOR=interpreter HYPOTHESIS_PROFILE=dev $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache mutants
