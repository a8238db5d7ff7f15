"""Seed the assistance and benefit programmes of domain.md §9 with their tracks and eligibility rules.
Amounts are not seeded: they are dated, region-scoped rates (BenefitRate) that each district enters."""

from django.db import migrations

PROGRAMMES = [
    # code, name, English, track, min age, max age, requires any of these categories, paid monthly
    ("DIBAO", "最低生活保障（低保）", "Minimum living allowance (dibao)", "RESCUE_PROTECTION", None, None, [], True),
    ("ORPHAN_LIVING", "孤儿基本生活保障", "Orphan basic living security", "RESCUE_PROTECTION", None, None, ["ORPHAN"], True),
    ("DE_FACTO_LIVING", "事实无人抚养儿童基本生活补贴", "De facto unsupported child living subsidy", "RESCUE_PROTECTION", None, None, ["DE_FACTO_UNSUPPORTED"], True),
    ("TEMP_ASSISTANCE", "临时救助", "Temporary assistance", "RESCUE_PROTECTION", None, None, [], False),
    ("EXTREME_POVERTY", "特困人员救助供养", "Extreme-poverty support", "RESCUE_PROTECTION", None, None, [], True),
    ("DISABILITY_TWO_SUBSIDIES", "残疾人两项补贴", "Two subsidies for disabled persons", "MEDICAL_PROTECTION", None, None, ["DISABILITY"], True),
    ("MEDICAL_ASSISTANCE", "医疗救助", "Medical assistance", "MEDICAL_PROTECTION", None, None, [], False),
    ("DISABLED_REHAB_0_17", "0-17周岁残疾儿童康复救助", "Rehabilitation aid for disabled children 0-17", "MEDICAL_PROTECTION", 0, 17, ["DISABILITY"], False),
    ("EDU_AID", "家庭经济困难儿童教育资助", "Education aid for children of poor families", "EDUCATION_SUPPORT", None, None, [], False),
    ("TWO_EXEMPT_ONE_SUBSIDY", "两免一补", "Two exemptions and one subsidy", "EDUCATION_SUPPORT", 6, 15, [], False),
    ("COMPULSORY_LIVING_SUBSIDY", "义务教育家庭经济困难学生生活补助", "Living subsidy for poor compulsory-education pupils", "EDUCATION_SUPPORT", 6, 15, [], True),
    ("HIGH_SCHOOL_GRANT", "普通高中国家助学金", "National grant for senior high school", "EDUCATION_SUPPORT", 15, None, [], False),
    ("RETURN_TO_SCHOOL", "劝返复学", "Persuaded return to school", "EDUCATION_SUPPORT", None, 15, [], False),
    ("VOCATIONAL_16PLUS", "职业技能培训与就业扶持（16周岁以上）", "Vocational training and job support (16+)", "EMPLOYMENT_SUPPORT", 16, None, [], False),
    ("FAMILY_EMPLOYMENT", "家庭成员就业援助", "Employment help for the family", "EMPLOYMENT_SUPPORT", None, None, [], False),
    ("LEGAL_AID", "法律援助", "Legal aid", "JUDICIAL_PROTECTION", None, None, [], False),
    ("JUDICIAL_AID", "司法救助", "Judicial aid", "JUDICIAL_PROTECTION", None, None, [], False),
    ("COMMUNITY_CORRECTION", "社区矫正帮教", "Community correction support", "JUDICIAL_PROTECTION", None, None, ["JUSTICE_INVOLVED"], False),
    ("PSYCH_SUPPORT", "心理疏导与干预", "Psychological support", "SPIRITUAL_CARE", None, None, [], False),
    ("SOCIAL_WORK", "社工服务", "Social-work services", "SPIRITUAL_CARE", None, None, [], False),
    ("FAMILY_EDU_GUIDANCE", "家庭教育指导", "Family-education guidance", "SPIRITUAL_CARE", None, None, [], False),
    ("ONE_TO_ONE", "一对一帮扶", "One-to-one assistance", "SPIRITUAL_CARE", None, None, [], False),
    ("HUKOU", "落户", "Household registration", "JUDICIAL_PROTECTION", None, None, ["UNREGISTERED"], False),
]


def seed(apps, schema_editor):
    BenefitProgramme = apps.get_model("cases", "BenefitProgramme")
    for code, name, name_en, track, min_age, max_age, categories, monthly in PROGRAMMES:
        BenefitProgramme.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "track": track,
                "min_age": min_age,
                "max_age": max_age,
                "requires_categories": categories,
                "has_amount": monthly,
                "source": "domain.md §9",
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("cases", "BenefitProgramme").objects.filter(code__in=[p[0] for p in PROGRAMMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_casework")]
    operations = [migrations.RunPython(seed, unseed)]
