"""Governance records: leadership-group and liaison meetings (issue 6 §5)."""

from django.urls import path

from governance import views

urlpatterns = [
    path("governance/", views.governance_list, name="governance_list"),
    path("governance/new/", views.governance_new, name="governance_new"),
    path("governance/<int:pk>/", views.governance_detail, name="governance_detail"),
    path("governance/<int:pk>/edit/", views.governance_edit, name="governance_edit"),
    path("governance/<int:pk>/items/<int:item_pk>/", views.governance_item_update, name="governance_item_update"),
]
