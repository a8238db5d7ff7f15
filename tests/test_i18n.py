"""English through Django's i18n: the pages switch with /i18n/setlang/, the API follows Accept-Language,
and the committed catalogue (locale/en) is complete, consistent and compiled.

bin/i18n-check additionally re-extracts the strings from the code and fails on any not in the catalogue.
"""

from __future__ import annotations

import ast
import gettext
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import valid_id_number, years_ago

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(autouse=True)
def default_language():
    """A request in English leaves English active in this thread (LocaleMiddleware activates it and
    nothing deactivates it). Start each test in the default language and leave it so for the next test,
    so fixtures here and tests elsewhere are not run in English."""
    translation.deactivate()
    yield
    translation.deactivate()


def switch_to_english(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_all_in(content: str, strings: list[str]) -> None:
    missing = [s for s in strings if s not in content]
    assert not missing, f"missing: {missing}"


def assert_none_in(content: str, strings: list[str]) -> None:
    present = [s for s in strings if s in content]
    assert not present, f"should not appear: {present}"


# --- pages ---------------------------------------------------------------------------------------

LOGIN_EN = ["Log in", "Minor Protection Platform (for town, village and community staff)", "Username", "Password"]
LOGIN_ZH = ["登录", "未成年人保护工作平台（乡镇、村社区工作人员使用）", "用户名", "密码"]

HOME_EN = [
    "Hello, ",
    "Registered minors in distress (your area)",
    "View the ledger of minors",
    "My posts",
    "Town (street) civil-affairs office",
    "Log out",
]
HOME_ZH = ["您好", "在册困境未成年人（您的工作范围）", "查看未成年人台账", "我的岗位", "乡镇（街道）民政办", "退出登录"]

LIST_EN = [
    "Ledger of minors",
    "Register a minor",
    "1 minor",
    "Distress category",
    "All statuses",
    "Residence",
    "Active",
]
LIST_ZH = ["未成年人台账", "登记未成年人", "共 1 人", "困境类别", "全部状态", "居住地", ">在册<"]

RECORD_EN = [
    "Basic details",
    "Date of birth",
    "Hukou type",
    "Record history",
    "Edit record",
    "Guardian",
    "Paternal grandmother",
]
RECORD_ZH = ["基本信息", "出生日期", "户口性质", "档案变更记录", "修改档案", "监护人", "祖母"]
# The history keeps what was written at the time ("祖母 王秀英" for the guardian added at registration),
# so "祖母" may rightly remain on the English page.
RECORD_ZH_UI = [s for s in RECORD_ZH if s != "祖母"]


def test_the_login_page_switches_to_english(client, tree):
    switch_to_english(client)

    content = page(client, reverse("login"))

    assert '<html lang="en">' in content
    assert_all_in(content, LOGIN_EN)
    assert_none_in(content, LOGIN_ZH)


def test_a_town_officer_works_in_english_after_the_switch(client, town_officer, minor_a1):
    client.force_login(town_officer)
    switch_to_english(client)

    home = page(client, reverse("home"))
    assert '<html lang="en">' in home
    assert_all_in(home, HOME_EN)
    assert_none_in(home, HOME_ZH)

    registry = page(client, reverse("registry_list"))
    assert_all_in(registry, LIST_EN)
    assert_none_in(registry, LIST_ZH)

    record = page(client, reverse("minor_detail", args=[minor_a1.pk]))
    assert_all_in(record, RECORD_EN)
    assert_none_in(record, RECORD_ZH_UI)
    # Names and places are data and stay as entered.
    assert minor_a1.name in record


def test_accept_language_alone_also_gives_english(client, town_officer, minor_a1):
    client.force_login(town_officer)

    content = client.get(reverse("registry_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert_all_in(content, LIST_EN)
    assert_none_in(content, LIST_ZH)


def test_the_pages_are_chinese_by_default(client, town_officer, minor_a1):
    assert_all_in(page(client, reverse("login")), LOGIN_ZH)

    client.force_login(town_officer)
    home = page(client, reverse("home"))
    assert '<html lang="zh-hans">' in home
    assert_all_in(home, HOME_ZH)
    assert_none_in(home, HOME_EN)

    registry = page(client, reverse("registry_list"))
    assert_all_in(registry, LIST_ZH)
    assert_none_in(registry, ["Ledger of minors", "Register a minor", "1 minor", "All statuses"])

    record = page(client, reverse("minor_detail", args=[minor_a1.pk]))
    assert_all_in(record, RECORD_ZH)
    assert_none_in(record, ["Basic details", "Record history", "Edit record", "Paternal grandmother"])


def test_switching_back_to_chinese(client, town_officer):
    client.force_login(town_officer)
    switch_to_english(client)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})

    assert_all_in(page(client, reverse("home")), HOME_ZH)


# --- API -----------------------------------------------------------------------------------------


def test_an_api_validation_error_comes_back_in_english(api_client_for, town_officer, tree):
    birth = years_ago(9)
    data = {
        "name": "陈小雨",
        "gender": "F",
        "birth_date": birth.isoformat(),
        "id_number": valid_id_number(birth=birth - timedelta(days=3), gender="F"),
        "region": tree.village_a1.pk,
        "categories": ["LEFT_BEHIND"],
    }
    api = api_client_for(town_officer)

    english = api.post("/api/v1/minors/", data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api.post("/api/v1/minors/", data, format="json")

    assert english.status_code == chinese.status_code == 400
    en_error = next(e for e in english.json()["errors"] if e["attr"] == "id_number")
    zh_error = next(e for e in chinese.json()["errors"] if e["attr"] == "id_number")
    assert en_error["code"] == zh_error["code"] == "birth_date_mismatch"
    assert en_error["detail"].startswith("The birth date in the ID number (")
    assert "does not match the date of birth entered" in en_error["detail"]
    assert "不一致" in zh_error["detail"]


def test_the_token_endpoint_answers_in_english(client, town_officer):
    response = client.post(
        "/api/v1/auth/token/", {"username": "town_officer", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["detail"] == "Incorrect username or password."


# --- the catalogue -------------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The entries of a PO file: msgctxt, msgid, msgid_plural, msgstr (index -> text), flags, obsolete."""
    entries: list[dict] = []
    entry: dict | None = None
    target: tuple[str, int | None] | None = None
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')

    def finish() -> None:
        if entry is not None and entry["msgid"] is not None:
            entries.append(entry)

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            finish()
            entry, target = None, None
            continue
        if entry is None:
            entry = {
                "msgctxt": None,
                "msgid": None,
                "msgid_plural": None,
                "msgstr": {},
                "flags": set(),
                "obsolete": False,
            }
        if line.startswith("#~"):
            entry["obsolete"] = True
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        elif line.startswith("#"):
            continue
        match = keyword.match(line)
        if match:
            name, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if name == "msgstr":
                target = ("msgstr", int(index or 0))
                entry["msgstr"][target[1]] = text
            else:
                target = (name, None)
                entry[name] = text
        elif line.startswith('"') and target is not None:
            text = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry["msgstr"][target[1]] += text
            else:
                entry[target[0]] += text
        else:
            raise AssertionError(f"{path}: cannot read line {raw!r}")
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    assert PO.exists(), f"{PO} is missing: run makemessages -l en (see bin/i18n-check)"
    return [e for e in read_po(PO) if not e["obsolete"]]


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    header = [e for e in catalogue if e["msgid"] == ""]
    messages = [e for e in catalogue if e["msgid"] != ""]
    assert len(header) == 1 and "fuzzy" not in header[0]["flags"], "the header is missing or fuzzy"
    assert "Language: en" in header[0]["msgstr"][0]
    assert len(messages) > 400

    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [
        e["msgid"]
        for e in messages
        if not e["msgstr"]
        or not all(text.strip() for text in e["msgstr"].values())
        or (e["msgid_plural"] is not None and sorted(e["msgstr"]) != [0, 1])
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_keep_every_placeholder_and_are_english(catalogue):
    cjk = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
    for entry in catalogue:
        if entry["msgid"] == "":
            continue
        wanted = sorted(PLACEHOLDER.findall(entry["msgid_plural"] or entry["msgid"]))
        for text in entry["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(text)) == wanted, f"placeholders differ: {entry['msgid']!r} -> {text!r}"
            # Chinese may stand only as a quoted literal the user must type or will find in a Chinese file
            # (a ledger's column name “身份证号码”, a grade word “红”), never as untranslated prose.
            prose = re.sub(r"“[^”]*”", "", text)
            assert not cjk.search(prose), f"Chinese left in the English text: {entry['msgid']!r} -> {text!r}"


def test_the_committed_mo_matches_the_po(catalogue):
    assert MO.exists(), f"{MO} is missing: run compilemessages --ignore=.venv"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    # The header is left out: msgfmt drops POT-Creation-Date from it.
    compiled.pop("", None)
    expected: dict = {}
    for entry in catalogue:
        if entry["msgid"] == "" or "fuzzy" in entry["flags"] or not all(entry["msgstr"].values()):
            continue  # msgfmt leaves these out; the test above fails on them
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"] is None:
            expected[key] = entry["msgstr"][0]
        else:
            for index, text in entry["msgstr"].items():
                expected[(key, index)] = text
    stale = sorted(str(k) for k in set(expected) ^ set(compiled))
    stale += sorted(str(k) for k in set(expected) & set(compiled) if expected[k] != compiled[k])
    assert not stale, f"the .mo is out of date with the .po (run compilemessages): {stale[:10]}"


def test_django_finds_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("未成年人台账") == "Ledger of minors"
        assert translation.ngettext("共 %(counter)s 人", "共 %(counter)s 人", 2) % {"counter": 2} == "2 minors"
        assert translation.ngettext("共 %(counter)s 人", "共 %(counter)s 人", 1) % {"counter": 1} == "1 minor"
    with translation.override("zh-hans"):
        assert translation.gettext("未成年人台账") == "未成年人台账"
