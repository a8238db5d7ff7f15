"""Pages of the reporting app. Each part of it keeps its routes in its own module."""

from django.urls import include, path

urlpatterns = [
    path("", include("reporting.dashboard.urls")),
    path("", include("reporting.exports.urls")),
    path("", include("reporting.analysis.urls")),
    path("", include("reporting.audit_urls")),
]
