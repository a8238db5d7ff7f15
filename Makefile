# The README's two commands. Longer logic lives in bin/.
.PHONY: demo test lint

PORT ?= 8000

## make demo: set up .venv, migrate, seed the demo district, run worker + beat and the server on $(PORT)
demo:
	PORT=$(PORT) bin/demo

## make test: the whole test suite against PostgreSQL and Redis (DATABASE_URL, REDIS_URL override)
test:
	bin/test $(ARGS)

## make lint: ruff, as CI runs it
lint:
	bin/venv
	.venv/bin/ruff check .
