"""REST API v1 for casework (issue 4): cases, their measures, guardianship interventions, placements,
benefit enrolments and closing requests; working groups, benefit programmes and partner organisations.

Scoped exactly like the web pages: querysets come from cases.casework.selectors, so anything outside the
caller's reach is absent from lists and answers 404, in a URL as in a body field. Every write calls a
service; its ValidationError becomes the API's field errors with their codes and its ActionNotAllowed a 403
(a post that may read but not act, a town leader adding a measure say), both in minorprot.api's one
exception handler. Cases shown are in the access log, like the registry's records.
"""

from cases.casework.api.benefits import BenefitProgrammeViewSet, BenefitViewSet
from cases.casework.api.cases import CaseViewSet
from cases.casework.api.closures import ClosureViewSet
from cases.casework.api.interventions import InterventionViewSet
from cases.casework.api.measures import MeasureViewSet, OrganisationViewSet, WorkingGroupViewSet
from cases.casework.api.placements import PlacementViewSet


def register_routes(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
    router.register("measures", MeasureViewSet, basename="measure")
    router.register("interventions", InterventionViewSet, basename="intervention")
    router.register("placements", PlacementViewSet, basename="placement")
    router.register("benefits", BenefitViewSet, basename="benefit")
    router.register("benefit-programmes", BenefitProgrammeViewSet, basename="benefit-programme")
    router.register("closures", ClosureViewSet, basename="closure")
    router.register("working-groups", WorkingGroupViewSet, basename="working-group")
    router.register("organisations", OrganisationViewSet, basename="organisation")
