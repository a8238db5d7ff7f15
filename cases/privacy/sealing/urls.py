from django.urls import path

from cases.privacy.sealing import views

urlpatterns = [
    path("minors/<int:pk>/seal/", views.minor_seal, name="privacy_sealing_seal"),
    path("minors/<int:pk>/unseal/", views.minor_unseal, name="privacy_sealing_unseal"),
    path("seal-documents/<int:event_id>/", views.seal_document, name="privacy_sealing_document"),
]
