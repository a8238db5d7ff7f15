"""Seed the category list with the merged taxonomy of domain.md §2.2 (plus the DISTRESSED_CHILD
recognition flag, §2.2 "Derived or umbrella flags" and §14.5). Editable afterwards in the admin."""

from django.db import migrations

CATEGORIES = [
    # code, Chinese name, English name, four special groups, key attention, requires note, source
    ("DISTRESSED_CHILD", "困境儿童（已认定）", "Distressed child (recognised)", True, True, False, "001 篇四 L92; domain.md §14.5"),
    ("ORPHAN", "孤儿", "Orphan", True, True, False, "001 篇八 L202; 002 二"),
    ("DE_FACTO_UNSUPPORTED", "事实无人抚养儿童", "De facto unsupported", True, False, False, "002 二; 003 二(五)18"),
    ("LEFT_BEHIND", "农村留守儿童", "Left-behind child", True, True, False, "002 二; 001 篇四 L87"),
    ("GUARDIANSHIP_ABSENT", "监护缺失", "Guardianship absent", False, False, False, "001 篇八 L203; 004 一(二)2"),
    ("GUARDIAN_INCAPABLE", "监护人无力履行监护职责", "Guardian incapable", False, False, False, "001 篇八 L204"),
    ("IMPROPER_GUARDIANSHIP", "监护不当（得不到适当监护）", "Improper guardianship", False, False, False, "004 一(二)1; 002 三(一)3"),
    ("ABANDONED", "被遗弃", "Abandoned", False, False, False, "004 一(二)2; 002 二, 四"),
    ("VIOLENCE_ABUSE_VICTIM", "遭受家庭暴力、虐待或侵害", "Violence or abuse victim", False, False, False, "002 二; 001 篇八 L207"),
    ("CRIME_VICTIM", "未成年被害人", "Crime victim", False, True, False, "001 篇四 L87, L94; 004 一(二)5"),
    ("TRAFFICKED_EXPLOITED", "被拐卖、胁迫、利用或非法雇用", "Trafficked or exploited", False, False, False, "002 二; 004 一(二)5"),
    ("VAGRANT_BEGGING", "流浪乞讨、离家出走", "Vagrant or begging", False, False, False, "004 一(二)4; 002 二; 001 篇八 L206"),
    ("MIGRANT", "流动未成年人（随迁子女）", "Migrant child", False, False, False, "002 二, 三(五), 四"),
    ("POVERTY", "家庭贫困", "Family poverty", False, False, False, "002 二; 004 一(二)3"),
    ("LOW_INCOME_FAMILY", "低保家庭儿童", "Low-income (dibao) family", False, False, False, "001 篇六 L168"),
    ("EXTREME_POVERTY_SUPPORTED", "特困供养儿童", "Extreme-poverty supported", False, False, False, "001 篇六 L168; 003 二(五)18"),
    ("DROPOUT", "失学辍学或面临辍学", "Dropout or at risk", False, False, False, "004 一(二)3; 001 篇八 L217"),
    ("SEVERE_ILLNESS", "重病（含精神障碍）", "Severe illness", False, False, False, "001 篇八 L205; 002 四"),
    ("DISABILITY", "残疾", "Disability", False, False, False, "001 篇八 L205; 篇二 L27"),
    ("CHILD_OF_PRISONER", "服刑（在戒）人员未成年子女", "Child of prisoner or person in rehab", False, False, False, "001 篇四 L87; 002 四"),
    ("IDLE_MINOR", "闲散未成年人", "Idle minor", False, False, False, "001 篇四 L87; 002 四"),
    ("SERIOUS_MISBEHAVIOUR", "有严重不良行为", "Serious misbehaviour", False, False, False, "001 篇四 L87, L102"),
    ("JUSTICE_INVOLVED", "涉案涉罪未成年人（社区矫正）", "Justice involved", False, False, False, "001 篇八 L207; 004 一(四)"),
    ("DIVORCED_FAMILY", "离婚家庭未成年人", "Divorced family", False, True, False, "001 篇四 L87"),
    ("SINGLE_PARENT", "单亲家庭未成年人", "Single-parent family", False, False, False, "001 篇八 L207"),
    ("EARLY_MARRIAGE", "早婚早育", "Early marriage or childbearing", False, False, False, "001 篇四 L95"),
    ("UNREGISTERED", "无户籍", "No household registration", False, False, False, "002 四; 003 二(五)18"),
    ("OTHER_SPECIAL_HARDSHIP", "其他特殊困难", "Other special hardship", False, False, True, "001 篇八 L207; 004 一(二)5"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for order, (code, name, name_en, four, key, note, source) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "in_four_special_groups": four,
                "in_key_attention": key,
                "requires_note": note,
                "source": source,
                "sort_order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    MinorCategory = apps.get_model("cases", "MinorCategory")
    codes = [row[0] for row in CATEGORIES]
    used = set(MinorCategory.objects.values_list("category__code", flat=True))
    Category.objects.filter(code__in=[c for c in codes if c not in used]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
