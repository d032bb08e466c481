# The two commands of the README: `make run` (the main job) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# dbt reads profiles.yml from this folder and never phones home.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_VERSION_CHECK := False

.PHONY: run test validate setup lint derive-reference docs clean postgres run-postgres spark spark-setup \
	test-spark

$(BIN)/.requirements-installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(BIN)/.requirements-installed

run: setup
	$(BIN)/python scripts/run_pipeline.py

# Check a folder of input files (OI_DISTRICT_DIR, OI_REFERENCE_DIR) and print every problem.
validate: setup
	$(BIN)/python scripts/load_inputs.py --check

lint: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/sqlfluff lint models tests/dbt

test: lint
	@scripts/postgres_server.sh start || echo "no PostgreSQL server: the engine-agreement tests will skip"
	$(BIN)/python -m pytest

# A throwaway PostgreSQL server on 127.0.0.1:54329 (installs Debian's postgresql when absent).
postgres:
	scripts/postgres_server.sh start

# The main job on PostgreSQL (target postgres of profiles.yml) instead of the embedded DuckDB.
run-postgres: setup postgres
	$(BIN)/python scripts/run_on_engine.py --target postgres

# The same build on a local Spark (dbt-spark, session method) in its own venv, so that `make run`
# stays lean; needs Java 17+. Results under warehouse/spark (OI_SPARK_DIR).
SPARK_VENV := .venv-spark
export SPARK_LOCAL_IP ?= 127.0.0.1

$(SPARK_VENV)/bin/.requirements-installed: requirements.txt requirements-spark.txt
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r requirements-spark.txt
	touch $@

spark-setup: $(SPARK_VENV)/bin/.requirements-installed

spark: spark-setup
	$(SPARK_VENV)/bin/python scripts/build_on_spark.py

# The Spark build's tests (tests/python/test_spark_build.py), required rather than skipped.
test-spark: spark-setup
	OI_RUN_SPARK=1 $(SPARK_VENV)/bin/python -m pytest tests/python/test_spark_build.py

# Re-derive the committed reference seeds from ../shared/data (maintainers only).
derive-reference: setup
	$(BIN)/python scripts/derive_reference_tables.py

docs: setup
	$(BIN)/dbt docs generate

clean:
	rm -rf target logs warehouse data/district

# Wall time and peak memory of each phase at 50,000, 500,000 and 5,000,000 students, against the
# floor (one DuckDB query) and the pandas implementation (scripts/benchmark.py; takes long).
.PHONY: benchmark
benchmark: setup
	$(BIN)/python scripts/benchmark.py
