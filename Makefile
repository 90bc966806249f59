# ka-analytics: the everyday commands. `make run` and `make test` are the README's two commands.
PY ?= python3

.PHONY: install run demo test test-fast lint bench

install:
	$(PY) -m pip install -q -r requirements.txt

run: install
	$(PY) -m streamlit run app.py

demo: install
	$(PY) -m ka_core init --demo --force

test: install
	$(PY) -m pytest -q

test-fast:
	$(PY) -m pytest -q -m "not browser"

lint:
	$(PY) -m ruff check ka_core pages app.py tests

bench: install
	$(PY) -m ka_core bench
