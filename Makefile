# ka-analytics: the everyday commands. `make run` and `make test` are the README's two commands.
PY ?= python3

.PHONY: install run demo test test-fast lint bench pack-deps bench-export

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

# The meeting pack's system packages (ka_core/export.py): Chromium for the charts, CJK fonts, poppler for the tests.
pack-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-cjk poppler-utils

bench-export: install
	$(PY) -m ka_core.export_bench
