# Ganzhi — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: run test install lint format bench messages clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

## run: the demo company on http://127.0.0.1:8000 (PORT to change), web server + task worker
run: $(INSTALLED)
	GANZHI_DEMO=$${GANZHI_DEMO:-1} $(BIN)/ganzhi run

## test: the whole suite; on PostgreSQL with DATABASE_URL=postgres://…
test: $(INSTALLED)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(INSTALLED)
	$(BIN)/python bench/run_all.py

## messages: refresh and compile the translations after changing UI text
messages: $(INSTALLED)
	cd ganzhi && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --ignore 'stats/*'
	cd ganzhi && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var
