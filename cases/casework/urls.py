from django.urls import path

from cases.casework.views import benefits, cases, closures, interventions, measures, placements

urlpatterns = [
    path("", cases.case_board, name="case_board"),
    path("approvals/", closures.approvals, name="case_approvals"),
    path("open/<int:pk>/", cases.case_open_view, name="case_open"),
    path("groups/", measures.group_list, name="group_list"),
    path("groups/ensure/", measures.groups_ensure, name="groups_ensure"),
    path("groups/<int:pk>/", measures.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", measures.group_edit, name="group_edit"),
    path("measures/<int:pk>/progress/", measures.measure_progress, name="measure_progress"),
    path("<int:pk>/", cases.case_detail, name="case_detail"),
    path("<int:pk>/stage/", cases.case_stage, name="case_stage"),
    path("<int:pk>/owner/", cases.case_owner, name="case_owner"),
    path("<int:pk>/measures/", measures.measure_create, name="measure_create"),
    path("<int:pk>/interventions/", interventions.intervention_create, name="intervention_create"),
    path(
        "<int:pk>/interventions/<int:intervention_pk>/decide/",
        interventions.intervention_decide,
        name="intervention_decide",
    ),
    path(
        "<int:pk>/interventions/<int:intervention_pk>/taken/",
        interventions.intervention_taken,
        name="intervention_taken",
    ),
    path(
        "<int:pk>/interventions/<int:intervention_pk>/outcome/",
        interventions.intervention_outcome,
        name="intervention_outcome",
    ),
    path("<int:pk>/placements/", placements.placement_create, name="placement_create"),
    path("<int:pk>/placements/<int:placement_pk>/end/", placements.placement_end_view, name="placement_end"),
    path("<int:pk>/benefits/", benefits.benefit_create, name="benefit_create"),
    path("<int:pk>/benefits/hints/", benefits.benefit_hints, name="benefit_hints"),
    path("<int:pk>/benefits/<int:enrolment_pk>/decide/", benefits.benefit_decide, name="benefit_decide"),
    path("<int:pk>/benefits/<int:enrolment_pk>/end/", benefits.benefit_end_view, name="benefit_end"),
    path("<int:pk>/closure/", closures.closure_request, name="closure_request"),
    path("<int:pk>/closure/decide/", closures.closure_decide, name="closure_decide"),
    path("<int:pk>/reopen/", closures.case_reopen_view, name="case_reopen"),
]
