"""Ledger import (issue 12 §1): a town's messy Excel read as it is, checked with the registry's rules,
previewed, committed once, twice without duplicates; the rejected rows; the command line; the page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from cases.imports import services
from cases.imports.models import ImportBatch, LedgerSynonym, SynonymKind
from cases.models import Minor, MinorEvent
from screening.models import Assessment, AssessmentKind, GradeChange
from tests.cases.ledger_files import (
    LI_ID,
    SUN_ID,
    ZHANG_ID,
    child,
    messy_rows,
    workbook_bytes,
)
from tests.factories import make_user, register_minor, years_ago
from tiers.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(tree, outsider):
    """A child registered in town B, whose ID number town A's ledger also lists."""
    birth = years_ago(11)
    return register_minor(actor=outsider, region=tree.village_b1, name="冯二", birth_date=birth)


@pytest.fixture
def ledger(elsewhere) -> bytes:
    return workbook_bytes(messy_rows(elsewhere=elsewhere))


def preview(actor, town, data, name="青山镇台账.xlsx", **kwargs) -> ImportBatch:
    return services.ledger_preview(actor=actor, town=town, upload=data, file_name=name, **kwargs)


def commit(actor, town, data, name="青山镇台账.xlsx") -> ImportBatch:
    return services.ledger_import(actor=actor, town=town, upload=data, file_name=name, dry_run=False)


def rejection(batch: ImportBatch, ref: str) -> dict:
    return next(r for r in batch.rejected_rows if r["ref"] == ref)


# --- normalising ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2015.3.4", "2015/03/04", "2015-3-4", "2015年3月4日", "20150304", "２０１５－３－４"])
def test_dates_are_read_in_every_usual_writing(text):
    from datetime import date

    assert services.normalise_date(text) == date(2015, 3, 4)


def test_an_excel_serial_number_is_a_date():
    from datetime import date

    assert services.normalise_date(42067) == date(2015, 3, 4)


def test_id_numbers_lose_spaces_and_full_width_digits_and_gain_a_capital_x():
    assert services.normalise_id(" ３３０５２１ 2014０６０１ 00１x ") == "330521201406010 01X".replace(" ", "")


def test_several_categories_in_one_cell_are_split_on_every_usual_separator():
    assert services.split_words("留守儿童、残疾，低保;单亲／辍学 重病") == [
        "留守儿童",
        "残疾",
        "低保",
        "单亲",
        "辍学",
        "重病",
    ]


def test_words_compare_without_spaces_full_width_forms_or_case():
    assert services.word_key("  村（社区）") == services.word_key("村(社区)")
    assert services.word_key("Ｍ") == "m"


# --- dry run -------------------------------------------------------------------------------------


def test_dry_run_counts_what_would_happen_and_changes_nothing(tree, town_officer, ledger):
    before = Minor.objects.count()

    batch = preview(town_officer, tree.town_a, ledger)

    assert (batch.created_count, batch.updated_count, batch.unchanged_count, batch.rejected_count) == (4, 0, 0, 8)
    assert batch.total_rows == 12  # blank row, 合计 row and the footer are not children
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert Minor.objects.count() == before


def test_the_header_is_found_below_title_rows_across_two_merged_rows(tree, town_officer, ledger):
    batch = preview(town_officer, tree.town_a, ledger)

    keys = {cell["column"]: cell["key"] for cell in batch.headers}
    assert (keys[3], keys[8], keys[9], keys[10]) == ("name", "guardian_name", "guardian_relation", "guardian_phone")
    assert batch.header_row == 4


def test_unknown_headers_and_words_are_listed_for_mapping(tree, town_officer, ledger):
    batch = preview(town_officer, tree.town_a, ledger)

    assert batch.unknown_words == {SynonymKind.CATEGORY: ["孤残"], SynonymKind.HEADER: ["照片"]}


def test_each_rejection_names_sheet_row_ref_column_and_a_chinese_message(tree, town_officer, ledger):
    batch = preview(town_officer, tree.town_a, ledger)

    expected = {
        "4": ("无身份证号原因", "没有身份证号码时"),
        "5": ("身份证号码", "校验位错误"),
        "6": ("身份证号码", "与第5行的身份证号码相同"),
        "7": ("困境类型", "“孤残”无法识别"),
        "8": ("村（社区）", "不在青山镇"),
        "9": ("出生日期", "已满18周岁"),
        "10": ("身份证号码", "已在其他地区登记"),
        "11": ("出生日期", "无法识别"),
    }
    for ref, (column, words) in expected.items():
        found = rejection(batch, ref)
        assert any(e["field"] == column and words in e["message"] for e in found["errors"]), (ref, found)
    assert rejection(batch, "4")["row"] == 9  # title 1–2, header 3–4, rows 5–7, blank 8
    assert "可用：" in rejection(batch, "7")["errors"][0]["message"]


def test_a_registered_child_elsewhere_is_not_named_to_a_town_that_may_not_see_it(tree, town_officer, ledger):
    batch = preview(town_officer, tree.town_a, ledger)

    message = rejection(batch, "10")["errors"][0]["message"]
    assert "其他地区" in message
    assert "冯二" not in message


# --- commit --------------------------------------------------------------------------------------


def test_commit_creates_the_accepted_children_with_normalised_values(tree, town_officer, ledger):
    batch = commit(town_officer, tree.town_a, ledger)

    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.created_count == 4
    zhang = Minor.objects.get(id_number=ZHANG_ID)
    assert zhang.name == "张三"
    assert zhang.region == tree.grid_a1
    assert set(zhang.category_links.values_list("category__code", flat=True)) == {"LEFT_BEHIND", "DISABILITY"}
    guardian = zhang.guardians.get()
    assert (guardian.relation, guardian.works_away, guardian.lives_with_minor) == ("PATERNAL_GRANDMOTHER", True, False)
    li = Minor.objects.get(id_number=LI_ID)
    assert (li.region, li.villager_group, li.gender, li.education_status) == (
        tree.village_a1,
        "1组",
        "F",
        "JUNIOR_SECONDARY",
    )
    wang = Minor.objects.get(name="王五")
    assert (wang.id_number, wang.no_id_reason, wang.region) == (None, "UNREGISTERED", tree.village_a2)
    sun = Minor.objects.get(id_number=SUN_ID)
    assert set(sun.category_links.values_list("category__code", flat=True)) == {
        "DE_FACTO_UNSUPPORTED",
        "CHILD_OF_PRISONER",
        "DROPOUT",
    }
    assert sun.guardians.get().relation == "MATERNAL_GRANDMOTHER"


def test_the_history_names_the_file(tree, town_officer, ledger):
    commit(town_officer, tree.town_a, ledger)

    event = MinorEvent.objects.get(minor__id_number=ZHANG_ID, kind=MinorEvent.Kind.REGISTERED)
    assert event.note == "导入 青山镇台账.xlsx"
    assert event.actor == town_officer


def test_a_grade_in_the_file_is_an_imported_assessment_by_the_importer(tree, town_officer, ledger):
    commit(town_officer, tree.town_a, ledger)

    zhang = Minor.objects.get(id_number=ZHANG_ID)
    assessment = Assessment.objects.get(minor=zhang)
    assert (assessment.kind, assessment.final_grade, assessment.assessor) == (
        AssessmentKind.IMPORTED,
        "RED",
        town_officer,
    )
    assert zhang.risk_grade == "RED"
    assert GradeChange.objects.get(minor=zhang).assessment == assessment
    assert zhang.cases.exists()  # red opens a case, as any grade does


def test_the_same_file_twice_creates_nothing(tree, town_officer, ledger):
    commit(town_officer, tree.town_a, ledger)
    count = Minor.objects.count()

    again = commit(town_officer, tree.town_a, ledger)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)
    assert Minor.objects.count() == count
    assert Assessment.objects.filter(kind=AssessmentKind.IMPORTED).count() == 3


def test_a_changed_row_updates_the_record_through_the_registry_with_history(tree, town_officer):
    first = [child(1, "东岭村", "张三", "男", "2015-3-4", ZHANG_ID, "留守儿童", school="小学")]
    commit(town_officer, tree.town_a, workbook_bytes(first, two_row_header=False), name="一月.xlsx")
    changed = [
        child(1, "东岭村", "张三", "男", "2015-3-4", ZHANG_ID, "留守儿童、低保", school="初中", grade="橙", grid="2组")
    ]

    batch = commit(town_officer, tree.town_a, workbook_bytes(changed, two_row_header=False), name="二月.xlsx")

    assert (batch.created_count, batch.updated_count) == (0, 1)
    zhang = Minor.objects.get(id_number=ZHANG_ID)
    assert (zhang.education_status, zhang.villager_group, zhang.risk_grade) == ("JUNIOR_SECONDARY", "2组", "ORANGE")
    update = MinorEvent.objects.get(minor=zhang, kind=MinorEvent.Kind.UPDATED)
    assert update.note == "导入 二月.xlsx"
    assert {c["field"] for c in update.changes} == {"education_status", "villager_group"}
    assert MinorEvent.objects.filter(minor=zhang, kind=MinorEvent.Kind.CATEGORY_ADDED, note="导入 二月.xlsx").exists()


def test_a_child_without_id_is_matched_by_name_birth_date_and_village(tree, town_officer):
    rows = [child(3, "西岭村", "王五", "男", "2016-07-08", "", "单亲家庭", note="未落户")]
    commit(town_officer, tree.town_a, workbook_bytes(rows, two_row_header=False))

    again = commit(town_officer, tree.town_a, workbook_bytes(rows, two_row_header=False))

    assert (again.created_count, again.unchanged_count) == (0, 1)


def test_the_commit_is_atomic(tree, town_officer, ledger, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("cases.imports.services.writing._record_grades", fail)
    before = Minor.objects.count()

    with pytest.raises(services.LedgerFileError):
        commit(town_officer, tree.town_a, ledger)

    assert Minor.objects.count() == before
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_a_file_without_a_header_is_refused_whole(tree, town_officer):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["青山镇困境儿童台账"])
    workbook.active.append(["张三", "东岭村"])
    out = io.BytesIO()
    workbook.save(out)

    with pytest.raises(services.LedgerFileError, match="没有找到表头"):
        preview(town_officer, tree.town_a, out.getvalue())
    assert not ImportBatch.objects.exists()


def test_a_csv_ledger_imports_too(tree, town_officer):
    text = f"序号,村（社区）,姓名,性别,出生日期,身份证号码,困境类型\n1,东岭村,张三,男,2015-3-4,{ZHANG_ID},留守儿童\n"

    batch = commit(town_officer, tree.town_a, text.encode("gb18030"), name="台账.csv")

    assert batch.created_count == 1


def test_header_variants_are_recognised(tree, town_officer):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["编号", "所在村", "儿童姓名", "公民身份号码", "困境类别", "实际监护人", "关系"])
    sheet.append([1, "东岭村委会", "张三", ZHANG_ID, "留守", "王秀英", "祖母"])
    out = io.BytesIO()
    workbook.save(out)

    batch = commit(town_officer, tree.town_a, out.getvalue())

    assert batch.created_count == 1
    assert Minor.objects.get(id_number=ZHANG_ID).gender == "M"  # from the ID number


# --- rejected rows -------------------------------------------------------------------------------


def test_the_rejected_rows_download_with_a_message_column_and_import_again(tree, town_officer, ledger):
    batch = preview(town_officer, tree.town_a, ledger)

    data = services.rejected_rows_workbook(batch)

    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("错误说明", "原行号")
    assert len(rows) == 1 + 8
    again = preview(town_officer, tree.town_a, data, name="拒收行.xlsx")
    # Without row 1 beside it, row 6 (the same ID as row 1) is no longer a duplicate within the file.
    assert again.rejected_count == 7
    assert "HEADER" not in again.unknown_words or "错误说明" not in again.unknown_words["HEADER"]


# --- who may import ------------------------------------------------------------------------------


def test_an_outsider_town_cannot_import_into_another_town(tree, outsider, ledger):
    with pytest.raises(services.ImportPermissionDenied):
        preview(outsider, tree.town_a, ledger)


def test_county_civil_affairs_imports_for_any_town(tree, county_officer, ledger):
    batch = commit(county_officer, tree.town_a, ledger)

    assert batch.created_count == 4
    assert Minor.objects.get(id_number=ZHANG_ID).created_by == county_officer


def test_a_child_director_may_not_import(tree, child_director, ledger):
    with pytest.raises(services.ImportPermissionDenied):
        preview(child_director, tree.town_a, ledger)


# --- command line --------------------------------------------------------------------------------


def _cli(tmp_path, data: bytes, *args) -> str:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_ledger", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_json(tree, town_officer, ledger, tmp_path):
    output = _cli(tmp_path, ledger, "--town", tree.town_a.code, "--json", "--user", town_officer.username)

    outcome = json.loads(output)
    assert (outcome["created"], outcome["updated"], outcome["unchanged"]) == (4, 0, 0)
    first = outcome["rejected"][0]
    assert set(first) == {"row", "ref", "errors"}
    assert set(first["errors"][0]) == {"field", "message"}
    assert Minor.objects.filter(id_number=ZHANG_ID).exists()


def test_the_command_dry_run_changes_nothing(tree, town_officer, ledger, tmp_path):
    before = Minor.objects.count()

    output = _cli(tmp_path, ledger, "--town", tree.town_a.code, "--dry-run", "--user", town_officer.username)

    assert "Would import" in output
    assert Minor.objects.count() == before


def test_the_command_takes_a_mapping_file(tree, town_officer, ledger, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"category": {"孤残": "ORPHAN"}, "header": {"照片": "IGNORE"}}), encoding="utf-8")

    output = _cli(tmp_path, ledger, "--town", tree.town_a.code, "--json", "--map", str(mapping))

    assert json.loads(output)["created"] == 5
    assert Minor.objects.get(name="周九").category_links.get().category.code == "ORPHAN"


# --- the page ------------------------------------------------------------------------------------


def _upload(client, town, data, name="青山镇台账.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("ledger_import_upload"),
        {"town": town.pk, "file": SimpleUploadedFile(name, data)},
    )


def test_the_registry_page_links_to_the_import_for_those_who_may(client, tree, town_officer, child_director):
    client.force_login(town_officer)
    assert reverse("ledger_import_upload") in client.get(reverse("registry_list")).content.decode()
    client.force_login(child_director)
    assert reverse("ledger_import_upload") not in client.get(reverse("registry_list")).content.decode()


def test_upload_preview_mapping_and_commit_on_the_page(client, tree, town_officer, ledger):
    client.force_login(town_officer)

    response = _upload(client, tree.town_a, ledger)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("ledger_import_preview", args=[batch.pk])).content.decode()
    assert "孤残" in page and "照片" in page
    assert Minor.objects.filter(name="周九").count() == 0

    form = services_mapping_form_data(batch, {"孤残": "ORPHAN", "照片": "IGNORE"})
    client.post(reverse("ledger_import_mapping", args=[batch.pk]), form)
    batch.refresh_from_db()
    assert (batch.created_count, batch.rejected_count, batch.unknown_words) == (5, 7, {})
    assert LedgerSynonym.objects.filter(town=tree.town_a, word="孤残", value="ORPHAN").exists()

    client.post(reverse("ledger_import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Minor.objects.filter(name="周九").exists()
    assert batch.file_name in client.get(reverse("ledger_import_list")).content.decode()


def services_mapping_form_data(batch: ImportBatch, meanings: dict[str, str]) -> dict[str, str]:
    from cases.imports.forms import LedgerMappingForm

    form = LedgerMappingForm(unknown=batch.unknown_words)
    return {name: meanings[word] for name, _kind, word in form.items if word in meanings}


def test_a_mapping_is_remembered_for_the_towns_next_file(tree, town_officer, ledger):
    services.ledger_mapping_save(
        actor=town_officer, town=tree.town_a, kind=SynonymKind.CATEGORY, word="孤残", value="ORPHAN"
    )

    batch = preview(town_officer, tree.town_a, ledger)

    assert batch.created_count == 5
    assert SynonymKind.CATEGORY not in batch.unknown_words


def test_another_towns_mapping_does_not_apply(tree, town_officer, outsider, ledger):
    services.ledger_mapping_save(
        actor=outsider, town=tree.town_b, kind=SynonymKind.CATEGORY, word="孤残", value="ORPHAN"
    )

    batch = preview(town_officer, tree.town_a, ledger)

    assert batch.unknown_words[SynonymKind.CATEGORY] == ["孤残"]


def test_an_outsider_gets_404_for_another_towns_batch(client, tree, town_officer, outsider, ledger):
    batch = preview(town_officer, tree.town_a, ledger)
    client.force_login(outsider)

    for name in ("ledger_import_preview", "ledger_import_rejected"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("ledger_import_commit", args=[batch.pk])).status_code == 404
    assert not Minor.objects.filter(id_number=ZHANG_ID).exists()


def test_an_outsider_cannot_upload_into_another_town(client, tree, outsider, ledger):
    client.force_login(outsider)

    response = _upload(client, tree.town_a, ledger)

    assert response.status_code == 200  # the town is not among the choices
    assert "town" in response.context["form"].errors
    assert not ImportBatch.objects.exists()


def test_a_bad_file_shows_a_chinese_error_on_the_page(client, tree, town_officer):
    client.force_login(town_officer)

    response = _upload(client, tree.town_a, b"garbage")

    assert "无法读取该Excel文件" in response.content.decode()


def test_the_rejected_rows_download_from_the_page(client, tree, town_officer, ledger):
    batch = preview(town_officer, tree.town_a, ledger)
    client.force_login(town_officer)

    response = client.get(reverse("ledger_import_rejected", args=[batch.pk]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 9


def test_second_county_officer_cannot_import_into_the_first_county(tree, ledger):
    from tiers.services import region_create

    other_county = region_create(code="330522000000", name="邻县", level="COUNTY")
    officer = make_user(Role.COUNTY_CIVIL_AFFAIRS, other_county, username="other_county")

    with pytest.raises(services.ImportPermissionDenied):
        preview(officer, tree.town_a, ledger)


def test_a_registered_child_of_the_town_is_updated_not_duplicated(tree, town_officer):
    existing = register_minor(
        actor=town_officer, region=tree.village_a1, name="张三", birth_date=years_ago(9), categories=("LEFT_BEHIND",)
    )
    rows = [
        child(
            1,
            "东岭村",
            "张三",
            "男" if existing.gender == "M" else "女",
            existing.birth_date,
            existing.id_number,
            "留守",
        )
    ]

    batch = commit(town_officer, tree.town_a, workbook_bytes(rows, two_row_header=False))

    assert batch.created_count == 0
    assert Minor.objects.filter(id_number=existing.id_number).count() == 1


def test_the_example_file_under_docs_imports_cleanly(tree, town_officer):
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "docs" / "ledger-example.xlsx").read_bytes()

    batch = preview(town_officer, tree.town_a, data, name="ledger-example.xlsx")

    assert (batch.created_count, batch.rejected_count, batch.unknown_words) == (4, 0, {})
