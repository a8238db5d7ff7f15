"""The county brings its tree and staff in from a sheet (issue 12 §2): manage.py import_regions / import_staff."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from cases.models import WorkingGroup
from tiers.imports.services import regions_import, staff_import
from tiers.models import Organisation, Region, StaffPost
from tiers.roles import Level, Role

TREE = [
    ["code", "name", "parent_code", "level"],
    ["500288000000", "新安县", "", ""],
    ["500288101000", "东安镇", "500288000000", ""],
    ["500288102000", "西城街道", "500288000000", ""],
    ["500288101001", "东一村", "500288101000", ""],
    ["500288101002", "东二村", "500288101000", ""],
    ["500288102001", "西城社区", "500288102000", "村（社区）"],
    ["500288101001-01", "东一村第一网格", "500288101001", "网格"],
]


def _csv(rows) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["新安县行政区划"])  # a title row, then the header on row 3
    sheet.append([])
    for row in rows:  # Excel keeps 12-digit codes typed in as numbers
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def county_admin(db):
    return get_user_model().objects.create_user(username="county_admin", password="x", is_staff=True)


def _import_tree(actor, rows, filename="tree.csv"):
    content = _xlsx(rows) if filename.endswith(".xlsx") else _csv(rows)
    return regions_import(actor=actor, content=content, filename=filename)


@pytest.mark.parametrize("filename", ["tree.csv", "tree.xlsx"])
def test_a_county_imports_its_tree_and_each_town_is_set_up(county_admin, filename):
    result = _import_tree(county_admin, TREE, filename)

    assert result.errors == []
    assert len(result.created) == 7
    levels = dict(Region.objects.filter(code__startswith="500288").values_list("code", "level"))
    assert levels == {
        "500288000000": Level.COUNTY,
        "500288101000": Level.TOWN,
        "500288102000": Level.TOWN,
        "500288101001": Level.VILLAGE,
        "500288101002": Level.VILLAGE,
        "500288102001": Level.VILLAGE,
        "500288101001-01": Level.GRID,
    }
    grid = Region.objects.get(code="500288101001-01")
    assert grid.town().code == "500288101000" and grid.county().name == "新安县"
    town = Region.objects.get(code="500288101000")
    # Its default departments and its six working groups, the rescue group led by the civil-affairs office.
    assert Organisation.objects.filter(region=town, name="东安镇民政和社会事务办").exists()
    assert Organisation.objects.filter(region=town, name="新安县公安局东安派出所").exists()
    groups = WorkingGroup.objects.filter(region=town)
    assert groups.count() == 6
    assert groups.get(track="RESCUE_PROTECTION").lead_organisation.name == "东安镇民政和社会事务办"
    street = Region.objects.get(code="500288102000")
    assert Organisation.objects.filter(region=street, name="西城街道社区卫生服务中心").exists()
    assert result.prompts  # the county's own bureaus are left to a person, and said so


def test_the_same_file_again_creates_nothing_and_a_new_name_renames(county_admin):
    _import_tree(county_admin, TREE)
    departments = Organisation.objects.count()

    again = _import_tree(county_admin, TREE)

    assert again.errors == [] and again.created == [] and again.unchanged == 7
    assert Region.objects.filter(code__startswith="500288").count() == 7
    assert Organisation.objects.count() == departments
    renamed = [row[:] for row in TREE]
    renamed[4][1] = "东一社区"
    third = _import_tree(county_admin, renamed)
    assert [region.code for region in third.renamed] == ["500288101001"]
    assert Region.objects.get(code="500288101001").name == "东一社区"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (["500288101003", "东三村", "500288109000", ""], "parent_code", "上级代码500288109000在文件和系统中都不存在。"),
        (["500288101003", "东三村", "500288101000", "乡镇"], "level", "层级“乡镇（街道）”与区划代码不符"),
        (["500288101003", "东三村", "500288000000", ""], "parent_code", "村（社区）的上级应为乡镇（街道）"),
        (["500277101003", "东三村", "500288101000", ""], "code", "前9位开头"),
        (["G-7", "七组", "500288101001", ""], "level", "网格请在level列填写"),
    ],
)
def test_a_bad_row_is_refused_with_its_row_number_and_nothing_is_saved(county_admin, row, field, message):
    rows = [*TREE, row]

    result = _import_tree(county_admin, rows)

    assert [(error.row, error.field) for error in result.errors] == [(len(rows), field)]
    assert message in result.errors[0].message
    assert not Region.objects.filter(code__startswith="500288").exists()
    assert not Organisation.objects.exists()


def test_an_import_cannot_move_a_unit_of_another_county(county_admin, tree):
    result = _import_tree(county_admin, [TREE[0], ["330521100201", "东岭村", "330521101000", ""]])

    assert result.errors[0].field == "code" and "不能改变层级或上级" in result.errors[0].message
    assert Region.objects.get(code="330521100201").parent == tree.town_a


# --- staff ---------------------------------------------------------------------------------------------------

STAFF = [
    ["username", "name", "region_code", "role", "organisation"],
    ["dongan_office", "王芳", "500288101000", "乡镇（街道）民政办", ""],
    ["dongan_head", "李强", "500288101000", "TOWN_OFFICE_HEAD", ""],
    ["dongyi_director", "张丽", "500288101001", "儿童主任", ""],
    ["dongan_police", "赵军", "500288101000", "协作部门工作人员", "新安县公安局东安派出所"],
]


@pytest.fixture
def imported_tree(county_admin):
    assert _import_tree(county_admin, TREE).errors == []


def test_the_staff_sheet_creates_users_and_posts_with_one_time_passwords(county_admin, imported_tree):
    result = staff_import(actor=county_admin, content=_csv(STAFF), filename="staff.csv")

    assert result.errors == []
    assert result.users_created == 4 and result.posts_created == 4
    director = get_user_model().objects.get(username="dongyi_director")
    assert director.first_name == "张丽"
    assert StaffPost.objects.get(user=director).role == Role.CHILD_DIRECTOR
    police = StaffPost.objects.get(user__username="dongan_police")
    assert police.organisation.name == "新安县公安局东安派出所"
    passwords = dict(result.passwords)
    assert set(passwords) == {"dongan_office", "dongan_head", "dongyi_director", "dongan_police"}
    assert director.check_password(passwords["dongyi_director"])
    assert len(set(passwords.values())) == 4


def test_existing_users_get_no_new_password_and_the_same_sheet_again_changes_nothing(county_admin, imported_tree):
    staff_import(actor=county_admin, content=_csv(STAFF), filename="staff.csv")
    office = get_user_model().objects.get(username="dongan_office")
    office.set_password("chosen-by-her")
    office.save()
    more = [*STAFF, ["dongan_office", "王芳", "500288101001", "CHILD_DIRECTOR", ""]]

    again = staff_import(actor=county_admin, content=_csv(more), filename="staff.csv")

    assert again.errors == []
    assert again.users_created == 0 and again.passwords == []
    assert again.unchanged == 4 and again.posts_created == 1  # her second post
    office.refresh_from_db()
    assert office.check_password("chosen-by-her")
    assert StaffPost.objects.filter(user=office).count() == 2


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (["new_one", "钱七", "500288101000", "村长", ""], "role", "无法识别的岗位“村长”"),
        (["new_one", "钱七", "500288109000", "儿童主任", ""], "region_code", "区划代码500288109000不存在"),
        (["new_one", "钱七", "500288101000", "儿童主任", ""], "role", "“儿童主任”岗位只能设在"),
        (["new_one", "钱七", "500288101000", "协作部门工作人员", "没有的单位"], "organisation", "没有名为“没有的单位”"),
        (["dongan_head", "李强", "500288101000", "协作部门工作人员", "东安卫生院"], "role", "不能同时担任其他工作岗位"),
    ],
)
def test_a_bad_staff_row_is_refused_and_nobody_is_created(county_admin, imported_tree, row, field, message):
    rows = [*STAFF, row]

    result = staff_import(actor=county_admin, content=_csv(rows), filename="staff.csv")

    assert (len(rows), field) in [(error.row, error.field) for error in result.errors]
    assert any(message in error.message for error in result.errors)
    assert not get_user_model().objects.filter(username__in=["dongan_office", "new_one"]).exists()
    assert not StaffPost.objects.exists()


def test_the_commands_print_errors_or_write_the_passwords_file(county_admin, tmp_path: Path):
    tree_file = tmp_path / "tree.csv"
    tree_file.write_bytes(_csv([*TREE, ["500288101003", "东三村", "500288109000", ""]]))
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_regions", str(tree_file), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Region.objects.filter(code__startswith="500288").exists()

    tree_file.write_bytes(_csv(TREE))
    call_command("import_regions", str(tree_file), stdout=io.StringIO())
    staff_file, passwords = tmp_path / "staff.csv", tmp_path / "passwords.csv"
    staff_file.write_bytes(_csv(STAFF))
    out = io.StringIO()
    call_command("import_staff", str(staff_file), passwords_out=str(passwords), stdout=out)

    lines = passwords.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "username,password" and len(lines) == 5
    username, password = lines[1].split(",")
    assert get_user_model().objects.get(username=username).check_password(password)
    assert password not in out.getvalue()
    out = io.StringIO()
    call_command("import_staff", str(staff_file), stdout=out)
    assert "unchanged 4" in out.getvalue() and "one-time" not in out.getvalue()


# --- the admin upload ----------------------------------------------------------------------------------------


def _upload(client, kind, rows, name="sheet.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    upload = SimpleUploadedFile(name, _csv(rows), content_type="text/csv")
    return client.post(reverse("admin:tiers_region_import"), {"kind": kind, "file": upload})


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(username="root", password="x")


def test_the_admin_uploads_the_tree_then_the_staff_and_sees_the_passwords_once(client, superuser):
    client.force_login(superuser)

    response = _upload(client, "regions", TREE)
    assert response.status_code == 200
    assert Region.objects.filter(code__startswith="500288").count() == 7
    response = _upload(client, "staff", STAFF)
    password = dict(response.context["result"].passwords)["dongan_office"]
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = _upload(client, "staff", STAFF)
    assert password not in again.content.decode() and again.context["result"].passwords == []


def test_the_admin_shows_row_errors_and_saves_nothing(client, superuser):
    client.force_login(superuser)

    response = _upload(client, "regions", [*TREE, ["500288101003", "东三村", "500288109000", ""]])

    body = response.content.decode()
    assert "上级代码500288109000在文件和系统中都不存在。" in body and "<td>9</td>" in body
    assert not Region.objects.filter(code__startswith="500288").exists()


def test_a_staff_member_without_the_permissions_may_not_upload(client, county_admin):
    client.force_login(county_admin)  # is_staff, but holds no add-region or add-user permission

    response = _upload(client, "regions", TREE)

    assert response.status_code == 403
    assert not Region.objects.filter(code__startswith="500288").exists()


def test_the_example_files_in_docs_import_cleanly(county_admin):
    docs = Path(__file__).resolve().parents[3] / "docs"

    tree = regions_import(actor=county_admin, content=(docs / "tree-example.csv").read_bytes(), filename="t.csv")
    staff = staff_import(actor=county_admin, content=(docs / "staff-example.csv").read_bytes(), filename="s.csv")

    assert tree.errors == [] and len(tree.created) == 7
    assert staff.errors == [] and staff.users_created == 7
    assert StaffPost.objects.get(user__username="dongyi_grid").region.level == Level.GRID


def test_the_posts_history_names_the_importer_and_the_file(county_admin, imported_tree):
    staff_import(actor=county_admin, content=_csv(STAFF), filename="staff.csv")

    from django.apps import apps

    post = StaffPost.objects.get(user__username="dongan_head")
    event = apps.get_model("tiers.StaffPostEvent").objects.get(pgh_obj_id=post.pk)
    assert event.pgh_context["user"] == county_admin.pk
    assert event.pgh_context["source"] == "import staff.csv"


def test_the_region_list_links_to_the_upload_page(client, superuser):
    from django.urls import reverse

    client.force_login(superuser)

    page = client.get(reverse("admin:tiers_region_changelist")).content.decode()
    upload = client.get(reverse("admin:tiers_region_import"))

    assert reverse("admin:tiers_region_import") in page
    assert upload.status_code == 200 and 'name="file"' in upload.content.decode()


def test_a_dry_run_counts_and_keeps_nothing(county_admin, tmp_path: Path):
    tree_file = tmp_path / "tree.csv"
    tree_file.write_bytes(_csv(TREE))
    out = io.StringIO()

    call_command("import_regions", str(tree_file), dry_run=True, stdout=out)

    assert "dry run" in out.getvalue() and "created 7" in out.getvalue()
    assert not Region.objects.filter(code__startswith="500288").exists()
    assert not Organisation.objects.exists() and not WorkingGroup.objects.exists()
    _import_tree(county_admin, TREE)
    staff = staff_import(actor=county_admin, content=_csv(STAFF), filename="staff.csv", dry_run=True)
    assert staff.errors == [] and staff.users_created == 4 and staff.passwords == []
    assert not get_user_model().objects.filter(username="dongan_office").exists()
