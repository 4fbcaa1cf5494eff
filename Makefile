# Civic assistant: `make run` starts it, `make test` checks it. `make help` lists every target.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-civic-assistant
MODEL  := models/civic.tar.gz

# Rasa must import components/ and actions/ from the work tree; no telemetry on a closed network.
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

PYTEST_ARGS ?=
# The suite on two processes, a test file per worker at a time (its module fixtures stay
# together): most of its time is servers starting and answering, so two cores overlap it.
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

.PHONY: help venv db model run test bench bench-scale bench-nlu bench-lang bench-diff bench-faq soak scale-test retention clean

help: ## list the targets
	@echo "Civic assistant: make <target>"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## create .venv with CPython 3.10 and install the pinned dependencies

# Re-installs whenever pyproject.toml or constraints.txt change; a venv on another Python is rebuilt.
$(STAMP): pyproject.toml constraints.txt scripts/find_python310.sh
	@set -e; \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
		echo "$(VENV) is not CPython 3.10: recreating it"; rm -rf $(VENV); \
	fi; \
	if [ ! -x $(PY) ]; then \
		python310=$$(scripts/find_python310.sh); \
		echo "creating $(VENV) with $$python310"; \
		"$$python310" -m venv $(VENV); \
	fi
	$(PY) -m pip install --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

db: venv ## migrate the case database (DATABASE_URL, default var/civic.db) and load the content
	$(VENV)/bin/alembic upgrade head
	$(PY) -m bot.cli seed

model: venv ## train models/civic.tar.gz when config.yml, domain/, data/ or components/ changed
	$(PY) scripts/train_model.py

run: venv db model ## start Rasa, the action server, the staff console and the outbox dispatcher (Ctrl-C stops all)
	$(PY) scripts/run_assistant.py

test: venv model ## run the whole test suite (tests make their own databases and servers)
	@$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; failing" >&2; fi; \
	exit $$rc

bench: venv model ## load: concurrent citizens over SMS, Telegram and web chat vs a stock Rasa assistant
	$(PY) -m bench.load

bench-scale: venv model ## the load bench through nginx in front of 1, then 2 Rasa replicas (PostgreSQL, Redis)
	$(PY) -m bench.load_scaled --replicas 1,2

soak: venv model ## load with 200 kill -9s of Rasa/actions/dispatcher; counts lost and duplicated messages
	$(PY) -m bench.soak --kills 200

scale-test: venv model ## 2 Rasa replicas behind nginx on PostgreSQL + Redis: exactly-once, order, load
	$(PY) -m pytest -m slow tests/scale

retention: venv ## anonymise closed cases and conversations older than RETENTION_DAYS (run nightly)
	$(PY) -m bot.cli retention

bench-nlu: venv ## evaluate the NLU model on the held-out set
	$(PY) -m bench.nlu_eval

bench-lang: venv ## language detection vs plain langdetect, and per-language intent/category F1
	$(PY) -m bench.lang_eval

bench-diff: venv ## held-out messages two models read differently: make bench-diff OLD=a.tar.gz NEW=b.tar.gz
	$(PY) -m bench.model_diff $(OLD) $(NEW)

bench-faq: venv ## FAQ retrieval: top-1 accuracy per language, unrelated questions wrongly answered
	$(PY) -m bench.faq_eval

clean: ## remove models, caches and reports (keeps var/ with the case database, and .venv)
	rm -rf models .rasa results .pytest_cache graph.html story_graph.dot tests/browser/artifacts
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
