# Masthead: `make run` serves the demo newspaper, `make test` passes the whole suite.
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MASTHEAD := $(BIN)/masthead

.PHONY: run test bench scale install clean messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The translation catalogues' .mo files are built from the .po files, never kept in git.
# masthead's modules are compiled once here: every process a server or the suite starts then reads
# them compiled (about a third of a second less each), even where PYTHONDONTWRITEBYTECODE is set.
install: $(BIN)/.installed
	$(BIN)/python -m masthead.catalogues
	$(BIN)/python -m compileall -q src

# New or changed strings of the reader pages into the Persian catalogue (Django's makemessages
# cannot read the Jinja2 templates' _() calls with variables; Babel can). Translate, then `make install`.
messages: install
	$(BIN)/pybabel extract -F babel.cfg --no-location -k _ -k gettext -k gettext_lazy -k ngettext:1,2 -o var/messages.pot .
	$(BIN)/pybabel update -D django -d src/masthead/locale -l fa -i var/messages.pot --width 100

run: install
	$(MASTHEAD) migrate --noinput -v0
	$(MASTHEAD) collectstatic --noinput -v0
	$(MASTHEAD) demo
	$(MASTHEAD) newsroom_account
	@echo "Newsroom: http://127.0.0.1:$(PORT)/newsroom/"
	PORT=$(PORT) $(MASTHEAD) serve --port $(PORT)

# The Nu Html Checker for the HTML validity test, pinned; its install script (a Java download) is skipped.
VNU_JAR := var/tools/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	@if command -v npm >/dev/null; then npm install -s --prefix var/tools --ignore-scripts --no-audit --no-fund vnu-jar@26.9.27; \
	else echo "npm not found: the HTML validity test will be skipped (CI installs it)"; fi

# axe-core for the browser tests' accessibility checks, pinned.
AXE_JS := var/tools/node_modules/axe-core/axe.min.js
$(AXE_JS):
	@if command -v npm >/dev/null; then npm install -s --prefix var/tools --ignore-scripts --no-audit --no-fund axe-core@4.14.1; \
	else echo "npm not found: the browser tests' accessibility checks will be skipped (CI installs it)"; fi

test: install $(VNU_JAR) $(AXE_JS)
	$(BIN)/python -m tests.run $(ARGS)

# Every benchmark by default; `make bench BENCH=read ARGS='--articles 300000'` runs one
# (ARGS go to the read-path benchmark; ATTACK_ARGS='--production' to the slow-client one; LIVE_ARGS='--edge'
# to the live-coverage one; PEERS_ARGS='--articles 5000' to the one against Wagtail, `peers`, which installs
# Wagtail from PyPI and so is not in the default list).
# Figures and how they were taken: bench/README.md.
BENCH ?= read comments newsroom search syndication ingest attack signin backup epaper newsletters live hits
bench: install
	@for b in $(BENCH); do \
	  echo "=== bench: $$b ==="; \
	  case $$b in \
	    read) $(BIN)/python -m bench.run $(ARGS) ;; \
	    comments|newsroom|search) $(BIN)/python bench/$$b.py ;; \
	    syndication|ingest|backup|signin|epaper|newsletters|hits) $(BIN)/python -m bench.$$b ;; \
	    live) $(BIN)/python -m bench.live $(LIVE_ARGS) ;; \
	    peers) $(BIN)/python -m bench.peers $(PEERS_ARGS) ;; \
	    attack) $(BIN)/python -m bench.attack $(ATTACK_ARGS) ;; \
	    *) echo "unknown benchmark $$b (read comments newsroom search syndication ingest attack signin backup epaper newsletters live hits peers)"; exit 2 ;; \
	  esac || exit 1; \
	done

# The production topology on this machine (two app hosts in network namespaces, PostgreSQL primary
# and replica, Redis, Varnish), its failure drills and throughput; needs root. See bench/README.md.
scale: install
	$(BIN)/python -m bench.scale $(ARGS)

clean:
	rm -rf $(VENV) var build src/*.egg-info
