from django.urls import path

from screening import views

urlpatterns = [
    path("visits/", views.visit_worklist, name="visit_worklist"),
    path("visits/compliance/", views.visit_compliance, name="visit_compliance"),
    path("minors/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("minors/<int:pk>/assess/", views.assessment_create, name="assessment_create"),
    path("minors/<int:pk>/helper/", views.helper_assign_view, name="helper_assign"),
    path("minors/<int:pk>/emergency-response/", views.emergency_response_create, name="emergency_response_create"),
    path(
        "minors/<int:pk>/emergency-response/<int:response_pk>/in-place/",
        views.emergency_response_in_place,
        name="emergency_response_in_place",
    ),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("notifications/", views.notification_list_view, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_mark_read, name="notification_mark_read"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("policy/", views.policy, name="policy"),
    path("policy/grades/<str:grade>/", views.grade_policy_update, name="grade_policy_update"),
    path("policy/grades/<str:grade>/reset/", views.grade_policy_reset_view, name="grade_policy_reset"),
    path("policy/indicators/<str:code>/", views.indicator_update, name="indicator_update"),
    path("policy/indicators/<str:code>/reset/", views.indicator_reset_view, name="indicator_reset"),
]
