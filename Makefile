# CommsDesk: `make run` opens the desk, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run demo test bench shots system-packages lint clean

run: system-packages $(STAMP)
	$(PY) main.py $(ARGS)

demo: system-packages $(STAMP)
	$(PY) main.py --demo

test: system-packages $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: system-packages $(STAMP)
	$(PY) -m bench

# Pictures of the window in set states at 1280x720 and 1920x1080, in shots/out/.
shots: system-packages $(STAMP)
	$(PY) -m shots $(STATES)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	# Bytecode for every installed module, as a system install would have it: pip leaves it out
	# where PYTHONDONTWRITEBYTECODE is set, and then each start compiles SQLAlchemy afresh.
	$(PY) -m compileall -qq -j 0 -x 'deploy_lib/android' commsdesk \
		$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
	touch $@

# Debian packages the desk and its tests need (Qt libraries, Xvfb, PostgreSQL for the store
# tests); installed when we are root, listed otherwise.
system-packages:
	@sh scripts/system-packages.sh

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
