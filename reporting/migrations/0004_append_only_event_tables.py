"""Make every hand-written event table append-only in PostgreSQL itself, like MinorEvent and the access
log (cases 0003): an UPDATE or DELETE of a case, referral, report, meeting or analysis-report event raises,
whatever code or admin attempts it (issue 10 §7). The events django-pghistory writes are protected by
their own triggers (PGHISTORY_APPEND_ONLY). On SQLite (the embedded demo) nothing is installed.

The migration lives here, in the app that depends on all the others, so that one file covers the tables
of every app. GradeChange is not in the list yet: the demo backdates grade changes after recording them
(demo/screening.py)."""

from django.db import migrations

TABLES = [
    "cases_caseevent",
    "referrals_referralevent",
    "referrals_reportevent",
    "reporting_meetingevent",
    "reporting_analysisreportevent",
]

# The same function as cases 0003, recreated so this migration stands on its own.
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


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_privacy_workflows_and_read_kinds"),
        ("referrals", "0003_county_routing_and_rule_history"),
        ("reporting", "0003_ledgerexport"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
