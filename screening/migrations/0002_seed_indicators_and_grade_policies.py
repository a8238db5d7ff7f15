"""Default checklist indicators and grade policies: domain.md §3.1 [PROPOSAL] and §10.1.

RED: immediate danger (ongoing violence or sexual abuse, trafficking, no caregiver at all, severe
injury). ORANGE: absent or incapable guardianship, severe illness or disability without adequate care.
YELLOW: vulnerable but cared for (left-behind, poverty, divorce or single parent, dropout risk).
BLUE: stable and under watch. Visits: BLUE every 90 days, YELLOW monthly (30), ORANGE weekly (7) with
a one-to-one helper, RED an emergency response within 24 hours, contact daily until it is in place,
then weekly. All editable afterwards.
"""

from django.db import migrations

INDICATORS = [
    ("ONGOING_VIOLENCE", "正在遭受暴力、虐待或性侵害", "RED", ["VIOLENCE_ABUSE_VICTIM"], []),
    ("TRAFFICKING_SIGNS", "有被拐卖、胁迫、利用的迹象", "RED", ["TRAFFICKED_EXPLOITED"], []),
    # Deceased or missing parents alone do not mean no caregiver (grandparents often care): not pre-filled.
    ("NO_CAREGIVER", "完全无人照料", "RED", ["ABANDONED"], []),
    ("SEVERE_INJURY", "受到严重伤害需要救治", "RED", [], []),
    ("GUARDIANSHIP_ABSENT", "监护缺失（父母服刑、戒毒、失联等）", "ORANGE",
     ["GUARDIANSHIP_ABSENT", "DE_FACTO_UNSUPPORTED", "CHILD_OF_PRISONER"], ["is_imprisoned", "in_drug_rehab"]),
    ("GUARDIAN_INCAPABLE", "监护人无力履行监护职责", "ORANGE", ["GUARDIAN_INCAPABLE"], ["is_seriously_ill", "is_disabled"]),
    ("IMPROPER_GUARDIANSHIP", "监护不当或家庭冲突严重", "ORANGE", ["IMPROPER_GUARDIANSHIP"], []),
    ("ILLNESS_WITHOUT_CARE", "重病或重残且缺乏照料", "ORANGE", ["SEVERE_ILLNESS", "DISABILITY"], []),
    ("VAGRANCY", "流浪乞讨或离家出走", "ORANGE", ["VAGRANT_BEGGING"], []),
    ("LEFT_BEHIND", "留守，缺乏有效照护", "YELLOW", ["LEFT_BEHIND"], ["works_away"]),
    ("POVERTY", "家庭贫困", "YELLOW", ["POVERTY", "LOW_INCOME_FAMILY", "EXTREME_POVERTY_SUPPORTED"], []),
    ("DIVORCE_SINGLE_PARENT", "父母离异或单亲家庭", "YELLOW", ["DIVORCED_FAMILY", "SINGLE_PARENT"], []),
    ("DROPOUT_RISK", "失学辍学或面临辍学", "YELLOW", ["DROPOUT"], []),
    ("BEHAVIOUR", "有不良行为或闲散", "YELLOW", ["SERIOUS_MISBEHAVIOUR", "IDLE_MINOR"], []),
    ("STABLE_UNDER_WATCH", "情况基本稳定，持续关注", "BLUE", [], []),
]

POLICIES = [
    # grade, visit interval days, requires helper, response deadline hours, contact interval until response
    ("BLUE", 90, False, None, None),
    ("YELLOW", 30, False, None, None),
    ("ORANGE", 7, True, None, None),
    ("RED", 7, True, 24, 1),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("screening", "Indicator")
    GradePolicy = apps.get_model("screening", "GradePolicy")
    for order, (code, name, grade, categories, flags) in enumerate(INDICATORS, start=1):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "min_grade": grade,
                "prefill_categories": categories,
                "prefill_guardian_flags": flags,
                "sort_order": order * 10,
            },
        )
    for grade, interval, helper, deadline, contact in POLICIES:
        GradePolicy.objects.update_or_create(
            county=None,
            grade=grade,
            defaults={
                "visit_interval_days": interval,
                "requires_helper": helper,
                "response_deadline_hours": deadline,
                "contact_interval_until_response_days": contact,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("screening", "GradePolicy").objects.filter(county=None).delete()
    Indicator = apps.get_model("screening", "Indicator")
    Indicator.objects.filter(code__in=[row[0] for row in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
