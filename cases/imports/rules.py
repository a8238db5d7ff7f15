"""The ledger import's rules in one place (issue 11 §2; the import is issue 12 §1): the columns a ledger has
and must have, how a header is recognised, which rows are not children, how a village is named, which
guardian situations mean the guardian is away, and how large a file may be. The import's modules
(cases.imports.services) and its forms read them from here."""

from __future__ import annotations

from django.conf import settings

# --- the columns (issue 12 §1; the registry's fields, domain.md §2.2 and §3.1) ------------------------------
# The columns a ledger may have, by key, with the name the page shows (and the header the example file uses).
COLUMNS: dict[str, str] = {
    "seq": "序号",
    "village": "村（社区）",
    "grid": "网格",
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号码",
    "no_id_reason": "无身份证号原因",
    "categories": "困境类型",
    "guardian_name": "监护人姓名",
    "guardian_relation": "与儿童关系",
    "guardian_phone": "监护人联系电话",
    "guardian_situation": "监护人情况",
    "education": "就学情况",
    "school_name": "就读学校",
    "address": "家庭住址",
    "risk_grade": "风险等级",
    "note": "备注",
}
IGNORE = "IGNORE"  # a header word mapped to this names a column the import skips
NORMAL = "NORMAL"  # a guardian situation word meaning "no special situation" (正常)
# Every ledger names the child's village and name; besides, an ID number or a birth date (header.find_header).
REQUIRED_COLUMNS = ("village", "name")

# --- the header (issue 12 §1) ---------------------------------------------------------------------------------
HEADER_SCAN_ROWS = 20  # the header is looked for among the sheet's first rows (title rows above it)
HEADER_MIN_COLUMNS = 3  # a row is the header when it names at least this many known columns

# --- rows that are not children (issue 12 §1) -----------------------------------------------------------------
TOTAL_WORDS = ("合计", "总计", "小计")  # a row starting (first four cells) with one of these is a total row

# --- places (domain.md §1.1: VILLAGE is 村 / 社区 / 居委会) ----------------------------------------------------
# A village may be written with or without its suffix (青山村 / 青山 / 青山村民委员会); longest first.
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")

# --- guardians (domain.md §2.2: left-behind, guardian imprisoned / in rehab / deceased / missing) -------------
# A guardian in one of these situations does not live with the child.
GUARDIAN_AWAY_FLAGS = ("works_away", "is_imprisoned", "in_drug_rehab", "is_deceased", "is_missing")

# --- the file (issue 12 §1) ---------------------------------------------------------------------------------
MAX_FILE_MB = 20  # larger ledgers are imported in parts; the messages show this number
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024

# --- large files (issue 12 §1: "large files run in Celery with a progress bar") ---------------------------------
# A file of more rows than this is previewed and committed by a worker (a web request times out after 60 s).


def import_sync_rows() -> int:
    """Up to this many data rows the dry run and the commit run in the request (MINORPROT_IMPORT_SYNC_ROWS)."""
    return settings.MINORPROT_IMPORT_SYNC_ROWS
