from django.urls import path

from cases import case_views as views

urlpatterns = [
    path("", views.case_board, name="case_board"),
    path("approvals/", views.approvals, name="case_approvals"),
    path("open/<int:pk>/", views.case_open_view, name="case_open"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/ensure/", views.groups_ensure, name="groups_ensure"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure_progress"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/stage/", views.case_stage, name="case_stage"),
    path("<int:pk>/owner/", views.case_owner, name="case_owner"),
    path("<int:pk>/measures/", views.measure_create, name="measure_create"),
    path("<int:pk>/interventions/", views.intervention_create, name="intervention_create"),
    path(
        "<int:pk>/interventions/<int:intervention_pk>/decide/",
        views.intervention_decide,
        name="intervention_decide",
    ),
    path("<int:pk>/interventions/<int:intervention_pk>/taken/", views.intervention_taken, name="intervention_taken"),
    path(
        "<int:pk>/interventions/<int:intervention_pk>/outcome/",
        views.intervention_outcome,
        name="intervention_outcome",
    ),
    path("<int:pk>/placements/", views.placement_create, name="placement_create"),
    path("<int:pk>/placements/<int:placement_pk>/end/", views.placement_end_view, name="placement_end"),
    path("<int:pk>/benefits/", views.benefit_create, name="benefit_create"),
    path("<int:pk>/benefits/hints/", views.benefit_hints, name="benefit_hints"),
    path("<int:pk>/benefits/<int:enrolment_pk>/decide/", views.benefit_decide, name="benefit_decide"),
    path("<int:pk>/benefits/<int:enrolment_pk>/end/", views.benefit_end_view, name="benefit_end"),
    path("<int:pk>/closure/", views.closure_request, name="closure_request"),
    path("<int:pk>/closure/decide/", views.closure_decide, name="closure_decide"),
    path("<int:pk>/reopen/", views.case_reopen_view, name="case_reopen"),
]
