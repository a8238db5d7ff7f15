"""Pinyin for name search: a child director types "zs" or "zhangsan" to find 张三.

pypinyin reads characters by their most common pronunciation, which is wrong for many surnames
(曾 is Zēng, not céng; 单 is Shàn; 解 is Xiè). The surname's reading is therefore taken from the
table below, and the ordinary reading is kept as a second variant, so either spelling finds the child.
"""

from __future__ import annotations

from pypinyin import lazy_pinyin

# Surnames whose reading differs from the character's most common one (two-character surnames first).
SURNAME_READINGS = {
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "长孙": "zhang sun",
    "单于": "chan yu",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "覃": "qin",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "翟": "zhai",
    "缪": "miao",
    "盖": "ge",
    "种": "chong",
    "乐": "yue",
    "召": "shao",
    "折": "she",
    "员": "yun",
    "句": "gou",
    "秘": "bi",
    "隗": "wei",
    "祭": "zhai",
    "薄": "bo",
    "黑": "he",
    "牟": "mou",
    "粘": "nian",
    "柏": "bai",
    "贲": "ben",
    "重": "chong",
    "角": "jue",
    "繁": "po",
    "冼": "xian",
    "藏": "zang",
    "宿": "su",
    "塔": "ta",
    "哈": "ha",
}


def _syllables(text: str) -> list[str]:
    return [s.lower() for s in lazy_pinyin(text, errors="ignore") if s.isalnum()]


def name_romanisation(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lower case; variants separated by a space
    ("zengxiaoming cengxiaoming", "zxm cxm")."""
    name = name.strip()
    ordinary = _syllables(name)
    variants = []
    for surname, reading in SURNAME_READINGS.items():
        if name.startswith(surname):
            variants.append(reading.split() + _syllables(name[len(surname) :]))
            break
    variants.append(ordinary)
    full: list[str] = []
    initials: list[str] = []
    for syllables in variants:
        joined = "".join(syllables)
        first_letters = "".join(s[0] for s in syllables)
        if joined and joined not in full:
            full.append(joined)
        if first_letters and first_letters not in initials:
            initials.append(first_letters)
    return " ".join(full)[:200], " ".join(initials)[:50]
