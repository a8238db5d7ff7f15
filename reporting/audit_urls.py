"""The history of access grants (issue 10 §7)."""

from django.urls import path

from reporting import audit_views as views

urlpatterns = [
    path("audit/grants/", views.grant_history_view, name="grant_history"),
]
