# Interlude: `make run` and `make test` work on a fresh machine; everything installs from here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DB := data/interlude.duckdb
# The key the sample database is encrypted with: made on first run, outside the repository,
# readable by its owner only (README: "Keys: encryption at rest").
KEY_DIR ?= $(HOME)/.config/interlude
KEY := $(KEY_DIR)/db.key
WITH_KEY = INTERLUDE_DB_KEY="$$(cat $(KEY))"
# The CPU build of torch lies in /opt/wheels on our machines; a plain index gives a CUDA build.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

# Nothing may fetch a model or data set at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install browser run test test-fast sample-data sample-db bench clean key

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(FIND_LINKS) -r requirements.txt
	touch $@

# The browser test drives Debian's Chromium (Playwright's own browser download cannot work here).
# Installed with apt-get when missing: as root, else through sudo where it exists.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,$(shell command -v sudo))
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600

browser: $(CHROMIUM)

$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || [ -n "$(SUDO)" ] || { echo "$@ is missing and this user can neither apt-get nor sudo: install Debian's chromium package" >&2; exit 1; }
	$(APT_GET) update -qq
	$(APT_GET) install -y -qq --no-install-recommends chromium fonts-liberation
	test -x $@

$(KEY):
	@mkdir -p -m 700 $(KEY_DIR)
	@(umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@.new && mv $@.new $@)
	@echo "made the database key $@ (mode 0600): back it up apart from the database (README)"

key: $(KEY)

# Build the demo database from the committed sample exports (ingest, then analyze: embeddings,
# themes, signals), encrypted with $(KEY), only if it is missing. The first analyze also exports
# the ONNX backends.
$(DB): | install $(KEY)
	mkdir -p $(dir $(DB))
	rm -f $(DB).building $(DB).building.wal
	$(WITH_KEY) $(PY) -m pipelines ingest sample_data/exports sample_data/appointments.csv --db $(DB).building --quiet
	$(WITH_KEY) $(PY) -m pipelines analyze --db $(DB).building
	mv $(DB).building $(DB)

sample-db: $(DB)

# The sample's "today" is its last day of data, so the demo has upcoming sessions. The demo
# accounts get $$INTERLUDE_DEMO_PASSWORD, else a password printed once here.
run: install $(DB)
	@$(WITH_KEY) $(PY) -m pipelines users demo --db $(DB)
	@echo "Open http://127.0.0.1:8501 and sign in as rivera, okafor or lindqvist (therapists), supervisor or admin."
	$(WITH_KEY) INTERLUDE_TODAY=$${INTERLUDE_TODAY:-latest-data} $(VENV)/bin/streamlit run dashboard/app.py --server.port 8501

# INTERLUDE_REQUIRE_BROWSER: the browser test fails, rather than skips, if Chromium is missing.
# TEST_WORKERS: the suite is split over this many processes (pytest-xdist), a test file each at a
# time, so a file's fixtures are built once; CI has 2 cores. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: install browser
	INTERLUDE_REQUIRE_BROWSER=1 $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadscope

# Day-to-day: everything but the model, the analyzed sample and the browser (under 2 minutes).
test-fast: install
	$(PY) -m pytest -q -m "not slow and not model and not browser"

# Regenerate the committed sample exports (deterministic).
sample-data: install
	$(PY) sample_data/generate.py

bench: install
	$(PY) bench/ingest.py
	$(PY) bench/analyze.py
	$(PY) bench/nlp_quality.py --quick

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
