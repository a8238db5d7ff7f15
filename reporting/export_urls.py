from django.urls import path

from reporting import export_views

urlpatterns = [
    path("ledger/export.xlsx", export_views.ledger_export, name="ledger_export"),
]
