# OneWindow: `make demo` runs the product with demo data; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint serve install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Prepare the SQLite database with demo data; serve http://127.0.0.1:8000 with the task worker
demo: $(STAMP)
	ONEWINDOW_DEBUG=1 $(BIN)/onewindow migrate --no-input
	ONEWINDOW_DEBUG=1 $(BIN)/onewindow seed --demo
	ONEWINDOW_DEBUG=1 $(BIN)/onewindow compilemessages --ignore=.venv >/dev/null 2>&1 || true
	@echo "一窗通办演示：http://127.0.0.1:8000/  （按 Ctrl+C 停止）"
	@# The task worker beside the web server delivers SMS/email to the local outbox and pushes licences.
	ONEWINDOW_DEBUG=1 $(BIN)/onewindow db_worker --no-reload --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	ONEWINDOW_DEBUG=1 $(BIN)/gunicorn onewindow.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile -

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL)
test: $(STAMP)
	scripts/ensure-browser
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) var
