"""Large ledgers in a worker (issue 12 §1, "large files run in Celery with a progress bar"): above
MINORPROT_IMPORT_SYNC_ROWS the dry run and the commit run in cases.imports.tasks.run_ledger_import (eager in
the test settings), end DONE with the right counts, notify the importer, show a progress bar while they run,
do nothing when run twice, and a failed batch shows its error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from cases.imports.models import ImportBatch, JobStatus, JobStep
from cases.imports.tasks import run_ledger_import
from cases.models import Minor, MinorEvent, Notification
from tests.cases.ledger_files import ZHANG_BIRTH, ZHANG_ID, messy_rows, workbook_bytes
from tests.factories import register_minor, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """The test ledger has twelve children: anything above three rows counts as large here."""
    settings.MINORPROT_IMPORT_SYNC_ROWS = 3


@pytest.fixture
def ledger(tree, outsider) -> bytes:
    elsewhere = register_minor(actor=outsider, region=tree.village_b1, name="冯二", birth_date=years_ago(11))
    return workbook_bytes(messy_rows(elsewhere=elsewhere))


def _upload(client, town, data, capture, *, execute=True):
    with capture(execute=execute):
        client.post(
            reverse("ledger_import_upload"), {"town": town.pk, "file": SimpleUploadedFile("青山镇台账.xlsx", data)}
        )
    return ImportBatch.objects.get()


def _commit(client, batch, capture, *, execute=True):
    with capture(execute=execute):
        client.post(reverse("ledger_import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    return batch


def test_a_large_files_dry_run_runs_in_the_worker_and_ends_done(
    client, tree, town_officer, ledger, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)

    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks)

    assert (batch.job_step, batch.job_status, batch.status) == (JobStep.DRY_RUN, JobStatus.DONE, "PREVIEWED")
    assert (batch.created_count, batch.updated_count, batch.unchanged_count, batch.rejected_count) == (4, 0, 0, 8)
    assert batch.progress_rows == batch.total_rows == 12
    assert Notification.objects.filter(user=town_officer, title="台账预览已完成").exists()
    assert not Minor.objects.filter(id_number=ZHANG_ID).exists()


def test_a_large_commit_runs_in_the_worker_and_notifies_the_importer(
    client, tree, town_officer, ledger, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks)

    batch = _commit(client, batch, django_capture_on_commit_callbacks)

    assert (batch.job_step, batch.job_status, batch.status) == (JobStep.COMMIT, JobStatus.DONE, "COMMITTED")
    assert (batch.created_count, batch.rejected_count) == (4, 8)
    assert Minor.objects.filter(id_number=ZHANG_ID, region__path__startswith=tree.town_a.path).count() == 1
    notice = Notification.objects.get(user=town_officer, title="台账导入已完成")
    assert notice.url == reverse("ledger_import_preview", args=[batch.pk])


def test_a_commit_that_already_ran_does_nothing_the_second_time(
    client, tree, town_officer, ledger, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks)
    batch = _commit(client, batch, django_capture_on_commit_callbacks)
    minors, events, notices = Minor.objects.count(), MinorEvent.objects.count(), Notification.objects.count()

    assert run_ledger_import.delay(batch.pk).get() == JobStatus.DONE

    assert (Minor.objects.count(), MinorEvent.objects.count(), Notification.objects.count()) == (
        minors,
        events,
        notices,
    )


def test_a_queued_batch_shows_a_progress_bar_that_reloads_the_page_when_done(
    client, tree, town_officer, ledger, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks, execute=False)
    assert batch.job_status == JobStatus.QUEUED

    page = client.get(reverse("ledger_import_preview", args=[batch.pk])).content.decode()
    assert 'data-testid="import-progress"' in page and reverse("ledger_import_progress", args=[batch.pk]) in page
    assert 'data-testid="commit"' not in page  # nothing to commit before the dry run is over
    polled = client.get(reverse("ledger_import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "排队等待处理" in polled.content.decode() and "HX-Refresh" not in polled

    run_ledger_import.delay(batch.pk)

    polled = client.get(reverse("ledger_import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    assert 'data-testid="commit"' in client.get(reverse("ledger_import_preview", args=[batch.pk])).content.decode()


def test_a_failed_commit_shows_its_error_and_saves_nothing(
    client, tree, town_officer, ledger, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(town_officer)
    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks)

    def conflict(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("cases.imports.services.writing._record_grades", conflict)
    batch = _commit(client, batch, django_capture_on_commit_callbacks)

    assert (batch.job_status, batch.status) == (JobStatus.FAILED, ImportBatch.Status.FAILED)
    assert not Minor.objects.filter(id_number=ZHANG_ID).exists()
    page = client.get(reverse("ledger_import_preview", args=[batch.pk])).content.decode()
    assert 'data-testid="batch-error"' in page and "本次未保存任何数据" in page
    assert 'data-testid="commit"' not in page
    assert Notification.objects.filter(user=town_officer, title="台账导入失败").exists()


def test_an_outsider_gets_404_for_another_towns_progress(
    client, tree, town_officer, outsider, ledger, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks, execute=False)
    client.force_login(outsider)

    assert client.get(reverse("ledger_import_progress", args=[batch.pk])).status_code == 404


def test_a_small_file_is_still_previewed_in_the_request(
    client, tree, town_officer, ledger, django_capture_on_commit_callbacks, settings
):
    settings.MINORPROT_IMPORT_SYNC_ROWS = 2000
    client.force_login(town_officer)

    batch = _upload(client, tree.town_a, ledger, django_capture_on_commit_callbacks, execute=False)

    assert (batch.job_status, batch.created_count) == ("", 4)


# --- the commit reuses the dry run's rows --------------------------------------------------------


def test_the_commit_matches_the_kept_rows_with_the_registry_as_it_is_then(tree, town_officer, ledger, settings):
    from cases.imports import services

    settings.MINORPROT_IMPORT_SYNC_ROWS = 2000
    batch = services.ledger_preview(actor=town_officer, town=tree.town_a, upload=ledger, file_name="台账.xlsx")
    assert batch.parsed_rows and batch.created_count == 4
    # Meanwhile a colleague registers one of the file's children (张三) by hand.
    register_minor(
        actor=town_officer, region=tree.village_a1, name="张三", gender="M", birth_date=ZHANG_BIRTH, id_number=ZHANG_ID
    )
    batch = services.ledger_commit(actor=town_officer, batch=batch)

    assert batch.created_count == 3
    assert Minor.objects.filter(id_number=ZHANG_ID).count() == 1
    assert not batch.parsed_rows  # no longer needed once committed


def test_kept_rows_changed_on_disk_are_ignored_and_the_file_read_again(tree, town_officer, ledger, settings):
    from cases.imports import services

    settings.MINORPROT_IMPORT_SYNC_ROWS = 2000
    batch = services.ledger_preview(actor=town_officer, town=tree.town_a, upload=ledger, file_name="台账.xlsx")
    with batch.parsed_rows.storage.open(batch.parsed_rows.name, "wb") as handle:
        handle.write(b"not what the dry run wrote")

    batch = services.ledger_commit(actor=town_officer, batch=batch)

    assert (batch.status, batch.created_count, batch.rejected_count) == (ImportBatch.Status.COMMITTED, 4, 8)


def test_the_history_keeps_a_file_name_with_tabs_and_backslashes_as_it_was(tree, town_officer, ledger):
    from cases.imports import services

    name = "青山\\镇\t台账.xlsx"
    services.ledger_import(actor=town_officer, town=tree.town_a, upload=ledger, file_name=name, dry_run=False)

    event = MinorEvent.objects.get(minor__id_number=ZHANG_ID, kind=MinorEvent.Kind.REGISTERED)
    assert event.note == "导入 " + name
    assert event.changes[0] == {"field": "region", "from": None, "to": event.minor.region.name}
