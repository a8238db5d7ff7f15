"""Large ledger exports (issue 6 §4): above MINORPROT_EXPORT_SYNC_ROWS the ledger is built by a worker,
followed on the export's page, downloaded only by the user who asked, logged child by child, and its
file deleted after MINORPROT_EXPORT_KEEP_DAYS. The threshold is 1 here, so two children go to the worker."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessLog, Notification
from reporting.exports import services
from reporting.models import LedgerExport, LedgerExportStatus
from reporting.tasks import build_ledger_export, purge_expired_exports
from tests.factories import make_user, register_minor
from tiers.models import StaffPost
from tiers.roles import Role
from tiers.services import post_assign, post_remove

Status = LedgerExportStatus


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.MINORPROT_EXPORT_SYNC_ROWS = 1


@pytest.fixture
def registry(tree, town_officer, minor_a1, minor_b1):
    """Village A1: 张三 and 孤儿甲; village A2: 西岭儿童; town B: 李四 (minor_b1)."""
    register_minor(actor=town_officer, region=tree.village_a1, name="孤儿甲", categories=("ORPHAN",))
    register_minor(actor=town_officer, region=tree.village_a2, name="西岭儿童")


def _request_export(client, django_capture_on_commit_callbacks, params=None, *, execute=True):
    with django_capture_on_commit_callbacks(execute=execute):
        response = client.get(reverse("ledger_export"), params or {})
    return response


def _download(client, export):
    return client.get(reverse("ledger_export_download", args=[export.pk]))


def _names(response) -> list[str]:
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    column = values[0].index("姓名")
    return sorted(row[column] for row in values[1:])


@pytest.fixture
def village_a1_export(client, tree, town_officer, registry, django_capture_on_commit_callbacks) -> LedgerExport:
    """The town officer's export of village A1 (two children), built by the worker."""
    client.force_login(town_officer)
    _request_export(client, django_capture_on_commit_callbacks, {"region": tree.village_a1.pk})
    export = LedgerExport.objects.get()
    assert export.status == Status.READY
    return export


# --- request → worker → file ---------------------------------------------------------------------


def test_above_the_threshold_the_export_redirects_to_its_page(
    client, tree, town_officer, registry, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)

    response = _request_export(
        client, django_capture_on_commit_callbacks, {"region": tree.village_a1.pk}, execute=False
    )

    export = LedgerExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger_export_detail", args=[export.pk])
    assert (export.requested_by, export.status, export.region_label) == (town_officer, Status.QUEUED, "东岭村")
    assert export.filters == {"region": [str(tree.village_a1.pk)]}


def test_at_the_threshold_the_file_is_answered_at_once(client, tree, town_officer, registry, settings):
    settings.MINORPROT_EXPORT_SYNC_ROWS = 2
    client.force_login(town_officer)

    response = client.get(reverse("ledger_export"), {"region": tree.village_a1.pk})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not LedgerExport.objects.exists()


def test_built_file_opens_and_holds_exactly_the_filtered_rows(client, village_a1_export):
    response = _download(client, village_a1_export)

    assert _names(response) == ["孤儿甲", "张三"]
    assert village_a1_export.rows == 2
    assert village_a1_export.finished_at is not None


def test_download_is_named_per_rfc5987_and_never_cached(client, village_a1_export):
    response = _download(client, village_a1_export)

    day = timezone.localdate(village_a1_export.requested_at)
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(f'台账_东岭村_{day:%Y%m%d}.xlsx')}"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_stored_file_is_not_under_a_public_name(village_a1_export, settings):
    assert village_a1_export.file.name.startswith("ledger-exports/")
    assert "东岭村" not in village_a1_export.file.name


def test_every_exported_child_gets_one_access_log_row_from_the_build(tree, town_officer, village_a1_export):
    logs = AccessLog.objects.filter(action=AccessLog.Action.EXPORT).select_related("minor")

    assert sorted(log.minor.name for log in logs) == ["孤儿甲", "张三"]
    assert {(log.user, log.channel) for log in logs} == {(town_officer, AccessLog.Channel.WEB)}
    expected = {
        "export": "ledger",
        "async": True,
        "export_id": village_a1_export.pk,
        "filters": {"region": tree.village_a1.code},
        "rows": 2,
    }
    assert [log.detail for log in logs] == [expected, expected]


def test_downloading_writes_no_second_access_log(client, village_a1_export):
    _download(client, village_a1_export)

    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2


def test_the_requester_is_notified_with_a_link_when_the_file_is_ready(town_officer, village_a1_export):
    note = Notification.objects.get(user=town_officer)

    assert note.title == "台账导出已完成"
    assert note.url == reverse("ledger_export_detail", args=[village_a1_export.pk])
    assert "共 2 人" in note.body


def test_ready_page_offers_the_download(client, village_a1_export):
    page = client.get(reverse("ledger_export_detail", args=[village_a1_export.pk])).content.decode()

    assert reverse("ledger_export_download", args=[village_a1_export.pk]) in page
    assert 'hx-trigger="every 2s"' not in page


def test_asking_again_while_queued_gives_the_same_export(
    client, tree, town_officer, registry, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    query = {"region": tree.village_a1.pk}

    first = _request_export(client, django_capture_on_commit_callbacks, query, execute=False)
    second = _request_export(client, django_capture_on_commit_callbacks, query, execute=False)

    assert LedgerExport.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_build_uses_the_requesters_reach_when_it_runs(client, tree, registry, django_capture_on_commit_callbacks):
    officer_of_both = make_user(Role.TOWN_OFFICE, tree.town_a, username="officer_of_both")
    post_assign(user=officer_of_both, region=tree.town_b, role=Role.TOWN_OFFICE)
    client.force_login(officer_of_both)
    with django_capture_on_commit_callbacks() as callbacks:
        client.get(reverse("ledger_export"))
    post_remove(post=StaffPost.objects.get(user=officer_of_both, region=tree.town_b))

    for callback in callbacks:
        callback()

    export = LedgerExport.objects.get()
    assert _names(_download(client, export)) == ["孤儿甲", "张三", "西岭儿童"]


def test_a_requester_who_may_no_longer_export_gets_a_failed_export(
    client, tree, town_officer, registry, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    with django_capture_on_commit_callbacks() as callbacks:
        client.get(reverse("ledger_export"))
    post_remove(post=StaffPost.objects.get(user=town_officer))

    for callback in callbacks:
        callback()

    export = LedgerExport.objects.get()
    assert export.status == Status.FAILED
    assert export.error == "申请人的岗位已不能导出台账。"
    assert not export.file
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


# --- progress ------------------------------------------------------------------------------------


def test_export_page_shows_progress_markup_while_queued(
    client, tree, town_officer, registry, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    response = _request_export(client, django_capture_on_commit_callbacks, execute=False)
    export = LedgerExport.objects.get()

    page = client.get(response["Location"]).content.decode()

    assert 'hx-trigger="every 2s"' in page
    assert reverse("ledger_export_progress", args=[export.pk]) in page
    assert 'role="progressbar"' in page
    assert reverse("ledger_export_download", args=[export.pk]) not in page


def test_progress_partial_stops_polling_and_reloads_when_ready(client, village_a1_export):
    response = client.get(reverse("ledger_export_progress", args=[village_a1_export.pk]), HTTP_HX_REQUEST="true")

    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in response.content.decode()


def test_queued_export_cannot_be_downloaded_yet(
    client, tree, town_officer, registry, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    _request_export(client, django_capture_on_commit_callbacks, execute=False)

    assert _download(client, LedgerExport.objects.get()).status_code == 404


# --- failure and reruns --------------------------------------------------------------------------


def test_a_failed_build_is_failed_with_the_error_shown(
    client, tree, town_officer, registry, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(services, "ledger_write", broken)
    client.force_login(town_officer)

    response = _request_export(client, django_capture_on_commit_callbacks)

    export = LedgerExport.objects.get()
    assert export.status == Status.FAILED
    assert export.error == "OSError: 磁盘已满"
    assert not export.file
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-error"' in page
    assert "OSError: 磁盘已满" in page
    assert Notification.objects.get(user=town_officer).title == "台账导出失败"


def test_a_failure_after_the_file_was_written_leaves_no_file_behind(
    tree, town_officer, registry, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("log down")

    monkeypatch.setattr(services, "ledger_access_log_record", broken)

    with django_capture_on_commit_callbacks(execute=True):
        export = services.ledger_export_request(actor=town_officer, query=QueryDict())

    export.refresh_from_db()
    assert export.status == Status.FAILED
    _dirs, files = default_storage.listdir(f"ledger-exports/{timezone.now():%Y}")
    assert not [name for name in files if name.startswith(f"ledger-{export.pk}-")]


def test_a_ready_export_is_not_rebuilt(village_a1_export):
    name = village_a1_export.file.name

    assert build_ledger_export(village_a1_export.pk) == Status.READY

    village_a1_export.refresh_from_db()
    assert village_a1_export.file.name == name
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2
    assert Notification.objects.count() == 1


def test_a_failed_export_is_not_rebuilt(village_a1_export):
    LedgerExport.objects.filter(pk=village_a1_export.pk).update(status=Status.FAILED, file="", error="x")

    assert build_ledger_export(village_a1_export.pk) == Status.FAILED
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2


def test_a_running_export_left_by_a_dead_worker_is_built_again(tree, town_officer, registry):
    export = LedgerExport.objects.create(requested_by=town_officer, filters={}, status=Status.RUNNING)

    assert build_ledger_export(export.pk) == Status.READY
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 3


# --- keeping the file ----------------------------------------------------------------------------


def test_purge_removes_expired_files_and_keeps_the_record(
    client, village_a1_export, django_capture_on_commit_callbacks
):
    storage, name = village_a1_export.file.storage, village_a1_export.file.name
    LedgerExport.objects.filter(pk=village_a1_export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        purged = purge_expired_exports()

    village_a1_export.refresh_from_db()
    assert purged == 1
    assert not storage.exists(name)
    assert (village_a1_export.status, village_a1_export.file.name, village_a1_export.rows) == (Status.READY, "", 2)
    assert _download(client, village_a1_export).status_code == 404
    page = client.get(reverse("ledger_export_detail", args=[village_a1_export.pk])).content.decode()
    assert "文件已删除" in page


def test_purge_leaves_files_that_are_still_kept(village_a1_export, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purged = purge_expired_exports()

    assert purged == 0
    assert village_a1_export.file.storage.exists(village_a1_export.file.name)
    keep = timedelta(days=settings.MINORPROT_EXPORT_KEEP_DAYS)
    assert village_a1_export.expires_at == village_a1_export.finished_at + keep


def test_an_expired_file_not_yet_purged_is_not_served(client, village_a1_export):
    LedgerExport.objects.filter(pk=village_a1_export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert _download(client, village_a1_export).status_code == 404


# --- who sees an export --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "county_officer", "town_leader"])
@pytest.mark.parametrize("view", ["ledger_export_detail", "ledger_export_progress", "ledger_export_download"])
def test_another_user_gets_404(client, request, village_a1_export, persona, view):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(view, args=[village_a1_export.pk]))

    assert response.status_code == 404


def test_list_shows_only_the_users_own_exports_newest_first(
    client, tree, town_officer, county_officer, registry, django_capture_on_commit_callbacks
):
    older = LedgerExport.objects.create(
        requested_by=town_officer, requested_at=timezone.now() - timedelta(days=1), status=Status.FAILED
    )
    newer = LedgerExport.objects.create(requested_by=town_officer, status=Status.QUEUED)
    theirs = LedgerExport.objects.create(requested_by=county_officer, status=Status.QUEUED)
    client.force_login(town_officer)

    page = client.get(reverse("ledger_export_list")).context["page"]

    assert list(page.object_list) == [newer, older]
    assert theirs not in page.object_list


def test_a_user_who_may_no_longer_export_cannot_download_their_file(client, town_officer, village_a1_export):
    post_remove(post=StaffPost.objects.get(user=town_officer))

    assert _download(client, village_a1_export).status_code == 403


def test_anonymous_user_is_sent_to_log_in(client, village_a1_export):
    client.logout()

    response = client.get(reverse("ledger_export_list"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_registry_list_links_to_the_users_exports(client, town_officer, minor_a1):
    client.force_login(town_officer)

    page = client.get(reverse("registry_list")).content.decode()

    assert reverse("ledger_export_list") in page


def test_export_list_takes_a_fixed_number_of_queries(client, town_officer, django_assert_max_num_queries):
    for status in (Status.QUEUED, Status.RUNNING, Status.FAILED, Status.READY, Status.READY):
        LedgerExport.objects.create(requested_by=town_officer, status=status, rows=3)
    client.force_login(town_officer)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("ledger_export_list"))

    assert len(response.context["page"].object_list) == 5
