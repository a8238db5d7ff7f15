from django.urls import path

from screening.policy import views

urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("policy/grades/<str:grade>/", views.grade_policy_update, name="grade_policy_update"),
    path("policy/grades/<str:grade>/reset/", views.grade_policy_reset_view, name="grade_policy_reset"),
    path("policy/indicators/<str:code>/", views.indicator_update, name="indicator_update"),
    path("policy/indicators/<str:code>/reset/", views.indicator_reset_view, name="indicator_reset"),
]
