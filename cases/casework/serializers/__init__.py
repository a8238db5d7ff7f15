"""API representations of casework (issue 4), one module per sub-topic like the API they serve (cases,
closures, measures and working groups, interventions, placements, benefits; base holds the fields that
accept only what the caller may see). Serializers parse and present; the rules live in the services
(cases.casework.services) and who sees what in the selectors."""
