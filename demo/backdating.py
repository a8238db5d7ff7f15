"""Dating the demo's history back: the one place in the code that lifts the append-only triggers.

The builders record through the services, which write "now"; a demo needs weeks of history that a fresh database
does not have, so once a step is written its event rows are moved to the step's time. Event tables are
append-only (a PostgreSQL trigger refuses UPDATE and DELETE: cases/migrations/0003, reporting/migrations/0004,
0005); this lifts the trigger of the named tables for the duration, inside the seeder's transaction, as the
tables' owner always could. The product never does this, and nothing outside demo/ calls it.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def demo_backdating(*tables: str):
    """For the demo seeders only: they record through the services (which write "now") and then move
    each event to the time of its step. On PostgreSQL the append-only trigger of each table is disabled
    for the duration (as the tables' owner could always do), inside the seeder's transaction; real code
    never calls this. Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now (Django's
        # constraints are deferrable, initially deferred, and return to that afterwards).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{table}_append_only"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{table}_append_only"')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
