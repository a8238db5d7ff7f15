"""Casework (issue 4; domain.md §4 mechanism 4, §5, §8, §9): cases and their plans of measures, the six
working groups, the guardianship intervention ladder, placements, benefit enrolments, closing, and the
casework alerts. Rooms: models, rules, services/, selectors, views/, api/, serializers, forms, urls
(templates in templates/cases/casework/, template tags in cases/templatetags/casework_tags.py)."""
