"""Make the history (MinorEvent) and the access log append-only in PostgreSQL itself: an UPDATE or
DELETE raises, whatever code or admin attempts it. On SQLite (the embedded demo) the application
and admin guards apply alone."""

from django.db import migrations

TABLES = ["cases_minorevent", "cases_accesslog"]

FUNCTION = """
CREATE OR REPLACE FUNCTION minorprot_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION minorprot_forbid_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS minorprot_forbid_change();")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_categories")]
    operations = [migrations.RunPython(forwards, backwards)]
