"""Grade changes (the "why" of every grade on the record's timeline) are append-only in PostgreSQL too,
like the other event tables (0004; issue 10 §7). The demo's seeders backdate them inside
demo.backdating.demo_backdating. On SQLite nothing is installed."""

from django.db import migrations

TABLE = "screening_gradechange"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION minorprot_forbid_change();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_append_only_event_tables"),
        ("screening", "0005_assessment_kind_imported"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
