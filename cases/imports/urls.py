from django.urls import path

from cases.imports import views

urlpatterns = [
    path("", views.ledger_import_upload, name="ledger_import_upload"),
    path("batches/", views.ledger_import_list, name="ledger_import_list"),
    path("batches/<int:pk>/", views.ledger_import_preview, name="ledger_import_preview"),
    path("batches/<int:pk>/progress/", views.ledger_import_progress, name="ledger_import_progress"),
    path("batches/<int:pk>/mapping/", views.ledger_import_mapping, name="ledger_import_mapping"),
    path("batches/<int:pk>/commit/", views.ledger_import_commit, name="ledger_import_commit"),
    path("batches/<int:pk>/rejected.xlsx", views.ledger_import_rejected, name="ledger_import_rejected"),
]
