"""Pages of the reporting app. Each part of it keeps its routes in its own module."""

from django.urls import include, path

urlpatterns = [
    path("", include("reporting.dashboard_urls")),
    path("", include("reporting.export_urls")),
    path("", include("reporting.analysis_urls")),
    path("", include("reporting.audit_urls")),
]
