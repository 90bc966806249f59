# ka-analytics: the everyday commands. `make run` and `make test` are the README's two commands.
PY ?= python3

.PHONY: install run demo test test-fast lint bench

install:
	$(PY) -m pip install -q -r requirements.txt

run: install
	$(PY) -m streamlit run app.py

demo: install
	$(PY) -m ka_core init --demo --force

test: install lint
	$(PY) -m pytest -q

test-fast:
	$(PY) -m pytest -q -m "not browser"

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: install
	$(PY) -m ka_core bench
	$(PY) -m dashboard.bench
