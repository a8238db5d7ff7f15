from django.urls import path

from reporting.exports import views as export_views

urlpatterns = [
    path("ledger/export.xlsx", export_views.ledger_export, name="ledger_export"),
    path("ledger/exports/", export_views.ledger_export_list_view, name="ledger_export_list"),
    path("ledger/exports/<int:pk>/", export_views.ledger_export_detail, name="ledger_export_detail"),
    path("ledger/exports/<int:pk>/progress/", export_views.ledger_export_progress, name="ledger_export_progress"),
    path("ledger/exports/<int:pk>/download/", export_views.ledger_export_download, name="ledger_export_download"),
]
