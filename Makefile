# ka-analytics: the everyday commands. `make run` and `make test` are the README's two commands.
PY ?= python3

.PHONY: install run demo test test-fast lint bench pack-deps bench-export spark-deps

install:
	$(PY) -m pip install -q -r requirements.txt

run: install
	$(PY) -m streamlit run app.py

demo: install
	$(PY) -m ka_core init --demo --force

test: install lint pack-deps spark-deps
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

# The Spark tests' needs (tests/test_spark.py installs them too, and skips saying why
# where Java cannot be installed): Java 17 from apt, PySpark and sqlglot from pip.
spark-deps:
	@java -version >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; } || echo "Java 17 could not be installed: the spark tests will be skipped."
	$(PY) -m pip install -q -r requirements-spark.txt
