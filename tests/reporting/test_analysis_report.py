"""The quarterly analysis report (issue 6 §3; domain.md §4 mechanism 3, §1.3 T-1/T-2): a town's PDF in
Chinese with its figures as real text, generated in the background with progress, stored and served
only inside the reach; submitted upward once ready, then final; the district replies with its plan.

WeasyPrint takes a second or so per PDF, so only two tests render one for real: the module-scoped
`town_pdf` (through `manage.py quarterly_report`) and the request → task → READY test. The others
replace the renderer with `fake_render`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from reporting.analysis import services
from reporting.analysis.services import (
    ReportDocument,
    analysis_report_generate,
    analysis_report_request,
    analysis_report_submit,
    analysis_reports_generate_for_quarter,
    protection_plan_reply,
)
from reporting.models import AnalysisReport, AnalysisReportEvent, AnalysisReportStatus, ProtectionPlanReply
from reporting.quarters import Quarter
from tests.factories import make_tree, make_user, register_minor
from tiers.errors import ActionNotAllowed
from tiers.roles import Role

Status = AnalysisReportStatus
Kind = AnalysisReportEvent.Kind
FAKE_PDF = b"%PDF-1.7\n% test stand-in\n"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603, S607
    return result.stdout


def squeezed(text: str) -> str:
    """pdftotext breaks lines and pads columns; compare without any whitespace."""
    return "".join(text.split())


# --------------------------------------------------------------------------------------------------
# One real PDF for the whole module


@pytest.fixture(scope="module")
def town_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """Town A with three children on the ledger (two villages), town B with one; the command writes
    town A's report for the current quarter. The data is rolled back afterwards."""
    output = tmp_path_factory.mktemp("report") / "青山镇.pdf"
    with django_db_blocker.unblock(), transaction.atomic():
        tree = make_tree()
        officer = make_user(Role.TOWN_OFFICE, tree.town_a, username="pdf_officer")
        other = make_user(Role.TOWN_OFFICE, tree.town_b, username="pdf_other")
        names = []
        for village in (tree.village_a1, tree.village_a1, tree.village_a2):
            names.append(register_minor(actor=officer, region=village).name)
        names.append(register_minor(actor=other, region=tree.village_b1).name)
        call_command(
            "quarterly_report", region=tree.town_a.code, quarter=str(Quarter.current()), output=str(output), stdout=None
        )
        transaction.set_rollback(True)
    return {"path": output, "text": pdf_text(output), "names": names}


@pytest.mark.django_db  # ordered with the database tests, before transactional ones empty the tables
def test_command_writes_a_valid_pdf(town_pdf):
    assert town_pdf["path"].read_bytes().startswith(b"%PDF-")
    assert "第 1 页" in town_pdf["text"] or "第1页" in squeezed(town_pdf["text"])


@pytest.mark.django_db  # ordered with the database tests, before transactional ones empty the tables
def test_pdf_has_the_chinese_headings_as_text(town_pdf):
    text = squeezed(town_pdf["text"])
    for heading in (
        "未成年人保护工作季度分析报告",
        "一、总体情况",
        "二、分布、类型与困境程度分析",
        "三、本季度变化情况",
        "四、走访落实情况",
        "五、个案与帮扶措施",
        "六、转介与报告受理",
        "七、保护资源需求预估",
        "八、工作机制落实",
    ):
        assert heading in text


@pytest.mark.django_db  # ordered with the database tests, before transactional ones empty the tables
def test_pdf_shows_the_number_of_children_on_the_ledger(town_pdf):
    text = squeezed(town_pdf["text"])
    assert "全镇在册困境未成年人3人" in text  # town A only: town B's child is not counted
    assert "示范县青山镇" in text
    assert Quarter.current().label in text
    assert "东岭村" in text and "西岭村" in text
    assert "河口村" not in text


@pytest.mark.django_db  # ordered with the database tests, before transactional ones empty the tables
def test_pdf_names_no_child(town_pdf):
    text = squeezed(town_pdf["text"])
    assert not [name for name in town_pdf["names"] if name in text]


@pytest.mark.django_db
def test_command_refuses_an_unknown_region(tmp_path):
    with pytest.raises(CommandError, match="No region with division code"):
        call_command("quarterly_report", region="999999", quarter="2026Q1", output=str(tmp_path / "x.pdf"))


@pytest.mark.django_db
def test_command_refuses_a_bad_quarter(tree, tmp_path):
    with pytest.raises(CommandError, match="Bad quarter"):
        call_command("quarterly_report", region=tree.town_a.code, quarter="2026Q5", output=str(tmp_path / "x.pdf"))


@pytest.mark.django_db
def test_command_refuses_a_quarter_not_started(tree, tmp_path):
    with pytest.raises(CommandError, match="has not started"):
        call_command(
            "quarterly_report",
            region=tree.town_a.code,
            quarter=str(Quarter.current().next()),
            output=str(tmp_path / "x.pdf"),
        )


@pytest.mark.django_db
def test_command_refuses_an_unwritable_path(tree, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "quarterly_report",
            region=tree.town_a.code,
            quarter=str(Quarter.current()),
            output=str(tmp_path / "missing" / "x.pdf"),
        )


@pytest.mark.django_db
def test_command_refuses_a_village(tree, tmp_path):
    with pytest.raises(CommandError, match="towns and districts"):
        call_command(
            "quarterly_report",
            region=tree.village_a1.code,
            quarter=str(Quarter.current()),
            output=str(tmp_path / "x.pdf"),
        )


# --------------------------------------------------------------------------------------------------
# Request → Celery task → READY


@pytest.mark.django_db
def test_request_runs_the_task_to_ready(tree, town_officer, minor_a1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = analysis_report_request(actor=town_officer, region=tree.town_a, quarter=str(Quarter.current()))

    report.refresh_from_db()
    assert report.status == Status.READY
    assert report.progress == 100
    assert report.pdf_size == len(report.pdf.read()) > 1000
    assert report.generated_at is not None
    assert "全镇在册困境未成年人1人" in report.summary
    assert list(report.events.values_list("kind", flat=True)) == [Kind.REQUESTED, Kind.GENERATED]


@pytest.fixture
def fake_render(monkeypatch):
    """The renderer replaced by a stand-in PDF, so service and page tests need no WeasyPrint."""
    calls = []

    def document(*, region, quarter, progress=None):
        calls.append((region.code, str(quarter)))
        if progress:
            progress(50, "test")
        return ReportDocument(pdf=FAKE_PDF, summary="摘要")

    monkeypatch.setattr(services, "report_document", document)
    return calls


def ready_report(actor, region, django_capture_on_commit_callbacks, quarter=None) -> AnalysisReport:
    with django_capture_on_commit_callbacks(execute=True):
        report = analysis_report_request(actor=actor, region=region, quarter=quarter or Quarter.current())
    report.refresh_from_db()
    assert report.status == Status.READY
    return report


@pytest.mark.django_db
def test_running_the_task_twice_changes_nothing(tree, town_officer, fake_render, django_capture_on_commit_callbacks):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    pdf_name = report.pdf.name

    again = analysis_report_generate(report_id=report.pk)

    assert again.status == Status.READY and again.pdf.name == pdf_name
    assert len(fake_render) == 1
    assert report.events.filter(kind=Kind.GENERATED).count() == 1


@pytest.mark.django_db
def test_a_failing_render_marks_the_report_failed(tree, town_officer, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(services, "report_document", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = analysis_report_request(actor=town_officer, region=tree.town_a, quarter=Quarter.current())

    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert "字体缺失" in report.error
    assert report.events.filter(kind=Kind.FAILED).count() == 1


@pytest.mark.django_db
def test_a_quarter_not_started_is_refused(tree, town_officer):
    with pytest.raises(ValidationError) as caught:
        analysis_report_request(actor=town_officer, region=tree.town_a, quarter=Quarter.current().next())
    assert "尚未开始" in str(caught.value)
    assert not AnalysisReport.objects.exists()


@pytest.mark.django_db
def test_a_village_gets_no_report_of_its_own(tree, town_officer):
    with pytest.raises(ValidationError):
        analysis_report_request(actor=town_officer, region=tree.village_a1, quarter=Quarter.current())


@pytest.mark.django_db
def test_outsider_may_not_request_another_towns_report(tree, outsider):
    with pytest.raises(ActionNotAllowed):
        analysis_report_request(actor=outsider, region=tree.town_a, quarter=Quarter.current())


# --------------------------------------------------------------------------------------------------
# Submitting upward and the district's reply


@pytest.mark.django_db
def test_only_a_ready_report_can_be_submitted(tree, town_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = analysis_report_request(actor=town_officer, region=tree.town_a, quarter=Quarter.current())
    assert report.status == Status.QUEUED

    with pytest.raises(ValidationError, match="只有已生成的报告才能上报"):
        analysis_report_submit(actor=town_officer, report=report)


@pytest.mark.django_db
def test_town_submits_its_ready_report(tree, town_officer, fake_render, django_capture_on_commit_callbacks):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)

    submitted = analysis_report_submit(actor=town_officer, report=report)

    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_by == town_officer and submitted.submitted_at is not None
    assert report.events.filter(kind=Kind.SUBMITTED, actor=town_officer).count() == 1


@pytest.mark.django_db
def test_a_leadership_viewer_may_not_submit(
    tree, town_officer, leadership_viewer, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    with pytest.raises(ActionNotAllowed):
        analysis_report_submit(actor=leadership_viewer, report=report)


@pytest.mark.django_db
def test_a_child_supervisor_works_the_cases_but_does_not_submit_the_towns_report(
    tree, town_officer, fake_render, django_capture_on_commit_callbacks
):
    from tests.factories import make_user
    from tiers.roles import Role

    supervisor = make_user(Role.CHILD_SUPERVISOR, tree.town_a, username="supervisor")
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)

    with pytest.raises(ActionNotAllowed):
        analysis_report_submit(actor=supervisor, report=report)


@pytest.mark.django_db
def test_a_submitted_report_cannot_be_regenerated(
    tree, town_officer, town_leader, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    analysis_report_submit(actor=town_leader, report=report)

    with pytest.raises(ValidationError, match="已上报"):
        analysis_report_request(actor=town_officer, region=tree.town_a, quarter=Quarter.current())
    assert analysis_report_generate(report_id=report.pk).status == Status.SUBMITTED
    assert len(fake_render) == 1


@pytest.mark.django_db
def test_county_replies_with_a_protection_plan(
    tree, town_officer, county_officer, fake_render, django_capture_on_commit_callbacks
):
    report = analysis_report_submit(
        actor=town_officer, report=ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    )

    reply = protection_plan_reply(
        actor=county_officer,
        report=report,
        body="针对留守儿童较多的情况，由教育部门牵头落实结对帮扶。",
        attachment=SimpleUploadedFile("保护方案.pdf", FAKE_PDF, content_type="application/pdf"),
    )

    report.refresh_from_db()
    assert report.status == Status.REPLIED
    assert reply.author == county_officer and reply.attachment
    assert report.events.filter(kind=Kind.REPLIED, actor=county_officer).count() == 1


@pytest.mark.django_db
def test_town_user_cannot_reply(tree, town_officer, town_leader, fake_render, django_capture_on_commit_callbacks):
    report = analysis_report_submit(
        actor=town_officer, report=ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    )
    with pytest.raises(ActionNotAllowed):
        protection_plan_reply(actor=town_leader, report=report, body="自己回复")
    assert not ProtectionPlanReply.objects.exists()


@pytest.mark.django_db
def test_a_report_not_submitted_takes_no_reply(
    tree, town_officer, county_officer, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="尚未上报"):
        protection_plan_reply(actor=county_officer, report=report, body="方案")


# --------------------------------------------------------------------------------------------------
# The quarter-end job


@pytest.mark.django_db
def test_generate_for_quarter_is_idempotent(tree, fake_render, django_capture_on_commit_callbacks):
    ended = Quarter.current().previous()

    with django_capture_on_commit_callbacks(execute=False) as first_jobs:
        first = analysis_reports_generate_for_quarter(quarter=ended)
    with django_capture_on_commit_callbacks(execute=False) as second_jobs:
        second = analysis_reports_generate_for_quarter(quarter=ended)

    assert (first, len(first_jobs)) == (3, 3)  # the county and its two towns
    assert (second, len(second_jobs)) == (0, 0)
    assert AnalysisReport.objects.filter(quarter=str(ended), requested_by=None).count() == 3
    assert AnalysisReportEvent.objects.count() == 3


@pytest.mark.django_db
def test_generate_for_quarter_skips_ready_reports(tree, town_officer, fake_render, django_capture_on_commit_callbacks):
    ended = Quarter.current().previous()
    ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks, quarter=ended)

    with django_capture_on_commit_callbacks(execute=True):
        queued = analysis_reports_generate_for_quarter(quarter=ended)

    assert queued == 2
    assert sorted(code for code, _quarter in fake_render) == sorted(
        [tree.town_a.code, tree.town_b.code, tree.county.code]
    )
    assert set(AnalysisReport.objects.values_list("status", flat=True)) == {Status.READY}


# --------------------------------------------------------------------------------------------------
# Pages


@pytest.mark.django_db
def test_outsider_gets_404_on_another_towns_report_and_pdf(
    client, tree, town_officer, outsider, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    client.force_login(outsider)

    for name in ("analysis_report_detail", "analysis_report_pdf", "analysis_report_progress"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert client.post(reverse("analysis_report_submit", args=[report.pk])).status_code == 404
    assert client.post(reverse("analysis_report_reply", args=[report.pk]), {"body": "x"}).status_code == 404


@pytest.mark.django_db
def test_outsider_does_not_see_another_towns_report_in_the_list(
    client, tree, town_officer, outsider, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    client.force_login(outsider)

    response = client.get(reverse("analysis_report_list"))

    assert response.status_code == 200
    assert f'data-testid="report-{report.pk}"' not in response.content.decode()


@pytest.mark.django_db
def test_pdf_download_is_an_attachment_with_a_chinese_filename(
    client, tree, town_officer, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    client.force_login(town_officer)

    response = client.get(reverse("analysis_report_pdf", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"青山镇_{Quarter.current().label}_分析报告.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"
    assert b"".join(response.streaming_content) == FAKE_PDF
    from cases.models import AccessLog

    log = AccessLog.objects.get(user=town_officer, action=AccessLog.Action.EXPORT)
    assert log.detail == {"export": "analysis_report", "region": tree.town_a.code, "quarter": report.quarter}


@pytest.mark.django_db
def test_generate_form_queues_a_report_and_shows_its_progress(
    client, tree, town_officer, django_capture_on_commit_callbacks
):
    client.force_login(town_officer)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("analysis_report_request"), {"region": tree.town_a.pk, "quarter": str(Quarter.current())}
        )
    report = AnalysisReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("analysis_report_detail", args=[report.pk])

    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert reverse("analysis_report_progress", args=[report.pk]) in page


@pytest.mark.django_db
def test_progress_partial_stops_polling_and_reloads_when_ready(
    client, tree, town_officer, fake_render, django_capture_on_commit_callbacks
):
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    client.force_login(town_officer)

    response = client.get(reverse("analysis_report_progress", args=[report.pk]), HTTP_HX_REQUEST="true")

    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in response.content.decode()


@pytest.mark.django_db
def test_county_sees_submitted_reports_and_replies_through_the_page(
    client, tree, town_officer, county_officer, fake_render, django_capture_on_commit_callbacks
):
    submitted = analysis_report_submit(
        actor=town_officer, report=ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    )
    other_officer = make_user(Role.TOWN_OFFICE, tree.town_b)
    not_submitted = ready_report(other_officer, tree.town_b, django_capture_on_commit_callbacks)
    client.force_login(county_officer)

    listing = client.get(reverse("analysis_report_list"), {"submitted": "on"}).content.decode()
    assert f'data-testid="report-{submitted.pk}"' in listing
    assert f'data-testid="report-{not_submitted.pk}"' not in listing

    response = client.post(reverse("analysis_report_reply", args=[submitted.pk]), {"body": "保护方案：落实结对帮扶。"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REPLIED

    client.force_login(town_officer)
    page = client.get(reverse("analysis_report_detail", args=[submitted.pk])).content.decode()
    assert "保护方案：落实结对帮扶。" in page
    assert 'data-testid="reply-form"' not in page


@pytest.mark.django_db
def test_town_user_posting_a_reply_is_refused(
    client, tree, town_officer, fake_render, django_capture_on_commit_callbacks
):
    report = analysis_report_submit(
        actor=town_officer, report=ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    )
    client.force_login(town_officer)

    response = client.post(reverse("analysis_report_reply", args=[report.pk]), {"body": "x"})

    assert response.status_code == 403
    assert not ProtectionPlanReply.objects.exists()


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_reports(
    client, tree, county_officer, fake_render, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for quarter in Quarter.current().recent(3):
        for region in (tree.town_a, tree.town_b):
            with django_capture_on_commit_callbacks(execute=False):
                analysis_report_request(actor=county_officer, region=region, quarter=quarter)
    client.force_login(county_officer)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("analysis_report_list"))
    assert response.content.decode().count('data-testid="report-') >= 6


@pytest.mark.django_db
def test_navigation_links_to_the_reports(client, town_leader):
    client.force_login(town_leader)
    assert 'data-testid="nav-analysis-reports"' in client.get(reverse("analysis_report_list")).content.decode()


@pytest.mark.django_db
def test_each_step_tells_whoever_acts_next(
    tree, town_officer, town_leader, county_officer, outsider, fake_render, django_capture_on_commit_callbacks
):
    from cases.models import Notification

    def titles(user) -> list[str]:
        return list(Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True))

    label = Quarter.current().label
    report = ready_report(town_officer, tree.town_a, django_capture_on_commit_callbacks)
    assert titles(town_leader) == [f"青山镇{label}分析报告已生成，请审核后上报"]
    assert titles(county_officer) == []

    analysis_report_submit(actor=town_leader, report=report)
    assert titles(county_officer) == [f"青山镇上报了{label}分析报告，请阅研并回复保护方案"]

    protection_plan_reply(actor=county_officer, report=report, body="落实结对帮扶。")
    assert titles(town_leader)[-1] == f"区县民政部门回复了青山镇{label}分析报告的保护方案"
    assert titles(town_officer)[-1] == f"区县民政部门回复了青山镇{label}分析报告的保护方案"
    assert titles(outsider) == []


@pytest.mark.django_db
def test_the_report_gives_the_figures_of_campaigns_closed_in_its_quarter(clock, tree, town_officer, child_director):
    from datetime import date

    from screening.campaigns.models import CampaignItem, ItemOutcome
    from screening.campaigns.services import campaign_close, campaign_item_confirm, campaign_open

    clock("2026-07-01")
    changed = register_minor(actor=town_officer, region=tree.village_a1, name="张小明")
    clock("2026-07-01", 11)
    campaign = campaign_open(
        actor=town_officer, region=tree.town_a, name="三季度排查", starts_on=date(2026, 7, 1), deadline=date(2026, 8, 1)
    )
    clock("2026-07-10")
    campaign_item_confirm(
        actor=child_director,
        item=CampaignItem.objects.get(campaign=campaign, minor=changed),
        outcome=ItemOutcome.CHANGED,
    )
    register_minor(actor=town_officer, region=tree.village_a2, name="王小军", categories=("ORPHAN",))
    clock("2026-08-01")
    result = campaign_close(actor=town_officer, campaign=campaign)
    clock("2026-10-08")

    q3 = services.report_context(region=tree.town_a, quarter=Quarter.parse("2026Q3"))
    html = squeezed(services.render_report_html(q3))

    assert (
        [(c["total"], c["confirmed"], c["new"], c["changed"]) for c in q3["campaigns"]]
        == [(result.total, result.confirmed, result.new_count, result.changed_count)]
        == [(1, 1, 1, 1)]
    )
    assert "九、摸底排查" in html
    assert "应排查1人，已确认1人；本期新增1人，本期变化1人。" in html
    assert "新增按类别：孤儿1人。" in html
    assert "张小明" not in html and "王小军" not in html
    assert services.report_context(region=tree.town_a, quarter=Quarter.parse("2026Q4"))["campaigns"] == []
    assert services.report_context(region=tree.town_b, quarter=Quarter.parse("2026Q3"))["campaigns"] == []
