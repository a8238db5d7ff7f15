from django.urls import path

from screening.grading import views

urlpatterns = [
    path("minors/<int:pk>/assess/", views.assessment_create, name="assessment_create"),
    path("minors/<int:pk>/helper/", views.helper_assign_view, name="helper_assign"),
    path("minors/<int:pk>/emergency-response/", views.emergency_response_create, name="emergency_response_create"),
    path(
        "minors/<int:pk>/emergency-response/<int:response_pk>/in-place/",
        views.emergency_response_in_place,
        name="emergency_response_in_place",
    ),
]
