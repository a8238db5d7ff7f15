"""Governance moves out of reporting, which only reads (issue 11 §1): the meeting models leave reporting's
state; governance 0001 took them over with the same tables. Nothing happens in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_append_only_grade_changes"),
        ("governance", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="meetingevent",
                    name="item",
                ),
                migrations.RemoveField(
                    model_name="meeting",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="meeting",
                    name="region",
                ),
                migrations.RemoveField(
                    model_name="meetingevent",
                    name="meeting",
                ),
                migrations.RemoveField(
                    model_name="meetingevent",
                    name="actor",
                ),
                migrations.DeleteModel(
                    name="ActionItem",
                ),
                migrations.DeleteModel(
                    name="Meeting",
                ),
                migrations.DeleteModel(
                    name="MeetingEvent",
                ),
            ],
            database_operations=[],
        ),
    ]
