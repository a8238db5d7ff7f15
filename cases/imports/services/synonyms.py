"""What the words of a ledger mean (issue 12 §1): the shipped synonyms, the town's own mappings (mapped once
per town), the command line's mapping file, and the registry's own labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.imports.models import LedgerSynonym, SynonymKind
from cases.imports.rules import COLUMNS, IGNORE, NORMAL
from cases.imports.services.access import _require_import
from cases.imports.services.errors import LedgerFileError
from cases.imports.services.text import _compact, word_key
from cases.models import (
    GUARDIAN_FLAGS,
    Category,
    EducationStatus,
    Gender,
    Guardian,
    GuardianRelation,
    NoIdReason,
    RiskGrade,
)
from tiers.models import Region


@dataclass
class Vocabulary:
    """Everything a word of the file may mean, for one town: shipped synonyms, the town's own mappings
    (which win), the mapping file of the command line (which wins over both), and the registry's labels."""

    words: dict[str, dict[str, str]]
    categories: dict[str, Category]
    known: dict[str, list[str]]

    def lookup(self, kind: str, text: str) -> str | None:
        return self.words[kind].get(word_key(text))


def _choice_words(choices) -> dict[str, str]:
    return {word_key(label): value for value, label in choices}


def vocabulary_for(*, town: Region, extra: dict[str, dict[str, str]] | None = None) -> Vocabulary:
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    words: dict[str, dict[str, str]] = {kind: {} for kind in SynonymKind.values}
    words[SynonymKind.HEADER].update({word_key(label): key for key, label in COLUMNS.items()})
    for category in categories.values():
        words[SynonymKind.CATEGORY][word_key(category.name)] = category.code
        words[SynonymKind.CATEGORY][word_key(category.code)] = category.code
    words[SynonymKind.RELATION].update(_choice_words(GuardianRelation.choices))
    words[SynonymKind.EDUCATION].update(_choice_words(EducationStatus.choices))
    words[SynonymKind.GRADE].update(_choice_words(RiskGrade.choices))
    words[SynonymKind.GENDER].update(_choice_words(Gender.choices))
    words[SynonymKind.NO_ID_REASON].update(_choice_words(NoIdReason.choices))
    flag_labels = {flag: str(Guardian._meta.get_field(flag).verbose_name) for flag in GUARDIAN_FLAGS}
    words[SynonymKind.GUARDIAN_SITUATION].update({word_key(label): flag for flag, label in flag_labels.items()})
    # Shipped rows first, then the town's own, so the town's choice wins.
    rows = LedgerSynonym.objects.filter(Q(town__isnull=True) | Q(town=town)).order_by("town_id", "id")
    for synonym in sorted(rows, key=lambda s: s.town_id is not None):
        words[synonym.kind][word_key(synonym.word)] = synonym.value
    for kind, mapping in (extra or {}).items():
        for word, value in mapping.items():
            words[kind][word_key(word)] = value
    known = {
        SynonymKind.CATEGORY: [c.name for c in sorted(categories.values(), key=lambda c: (c.sort_order, c.code))],
        SynonymKind.GUARDIAN_SITUATION: [*flag_labels.values(), _("正常")],
        SynonymKind.RELATION: [str(label) for label in GuardianRelation.labels],
        SynonymKind.EDUCATION: [str(label) for label in EducationStatus.labels],
        SynonymKind.GRADE: [str(label) for label in RiskGrade.labels],
        SynonymKind.GENDER: [str(label) for label in Gender.labels],
        SynonymKind.NO_ID_REASON: [str(label) for label in NoIdReason.labels],
    }
    return Vocabulary(words=words, categories=categories, known=known)


def mapping_targets(kind: str) -> list[tuple[str, str]]:
    """What an unknown word of `kind` may be mapped to on the page: (value, label)."""
    if kind == SynonymKind.HEADER:
        return [*COLUMNS.items(), (IGNORE, _("忽略此列"))]
    if kind == SynonymKind.CATEGORY:
        return [(c.code, c.name) for c in Category.objects.filter(is_active=True)]
    if kind == SynonymKind.GUARDIAN_SITUATION:
        return [(flag, str(Guardian._meta.get_field(flag).verbose_name)) for flag in GUARDIAN_FLAGS] + [
            (NORMAL, _("正常"))
        ]
    choices = {
        SynonymKind.RELATION: GuardianRelation.choices,
        SynonymKind.EDUCATION: EducationStatus.choices,
        SynonymKind.GRADE: RiskGrade.choices,
        SynonymKind.GENDER: Gender.choices,
        SynonymKind.NO_ID_REASON: NoIdReason.choices,
    }[kind]
    return [(value, str(label)) for value, label in choices]


def _extra_map(mapping: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]]:
    """A --map file's content: {"HEADER": {"儿童姓名": "name"}, "category": {"孤残": "ORPHAN"}, …}."""
    result: dict[str, dict[str, str]] = {}
    for kind, words in (mapping or {}).items():
        upper = str(kind).upper()
        if upper not in SynonymKind.values:
            raise LedgerFileError(
                _("对照文件中的类型“%(k)s”无效，可用：%(known)s。")
                % {"k": kind, "known": ", ".join(SynonymKind.values)},
                code="bad_map",
            )
        result[upper] = {str(word): str(value) for word, value in words.items()}
    return result


@transaction.atomic
def ledger_mapping_save(*, actor, town: Region, kind: str, word: str, value: str) -> LedgerSynonym:
    """Remember, for this town, what a word of its ledgers means (issue 12 §1: mapped once per town)."""
    _require_import(actor, town)
    if kind not in SynonymKind.values:
        raise ValidationError({"kind": [ValidationError(_("类型无效。"), code="invalid_choice")]})
    if value not in {v for v, _label in mapping_targets(kind)}:
        raise ValidationError({"value": [ValidationError(_("请选择对应项。"), code="invalid_choice")]})
    word = _compact(word)[:100]
    if not word:
        raise ValidationError({"word": [ValidationError(_("用语不能为空。"), code="required")]})
    synonym, _created = LedgerSynonym.objects.update_or_create(
        kind=kind, word=word, town=town, defaults={"value": value, "created_by": actor, "created_at": timezone.now()}
    )
    return synonym
