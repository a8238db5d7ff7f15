"""The privacy pages, mounted under /privacy/ (each topic's own urls module)."""

from django.urls import include, path

urlpatterns = [
    path("", include("cases.privacy.sealing.urls")),
    path("", include("cases.privacy.moves.urls")),
    path("", include("cases.privacy.accesslog.urls")),
    path("", include("cases.privacy.requests.urls")),
]
