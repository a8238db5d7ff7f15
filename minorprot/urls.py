from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cases.alerts.api import register_routes as register_alert_routes
from cases.casework.api import register_routes as register_casework_routes
from cases.privacy.accesslog.api import register_routes as register_accesslog_routes
from cases.privacy.moves.api import register_routes as register_move_routes
from cases.privacy.requests.api import register_routes as register_data_request_routes
from cases.privacy.sealing.api import register_routes as register_sealing_routes
from cases.registry import views as registry_views
from cases.registry.api import register_routes as register_registry_routes
from governance.api import register_routes as register_governance_routes
from minorprot.api import router
from referrals.discovery.api import register_routes as register_discovery_routes
from referrals.intake.api import register_routes as register_intake_routes
from referrals.partners.urls import token_urlpatterns as partner_token_urls
from referrals.referrals.api import register_routes as register_referral_routes
from referrals.webhooks.api import register_routes as register_webhook_routes
from reporting.audit_api import register_routes as register_audit_routes
from reporting.dashboard.api import register_routes as register_figures_routes
from screening.api import register_routes as register_screening_routes
from tiers.api import me, token_obtain
from tiers.api import register_routes as register_tier_routes
from tiers.health import healthz

register_tier_routes(router)
register_registry_routes(router)
register_alert_routes(router)
register_casework_routes(router)
register_screening_routes(router)
register_referral_routes(router)
register_webhook_routes(router)
register_intake_routes(router)
register_discovery_routes(router)
register_governance_routes(router)
register_figures_routes(router)
register_sealing_routes(router)
register_move_routes(router)
register_accesslog_routes(router)
register_data_request_routes(router)
register_audit_routes(router)

api_v1 = [
    path("auth/token/", token_obtain, name="token-obtain"),
    path("me/", me, name="me"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("", include("tiers.urls")),
    path("regions/", registry_views.region_tree, name="region_tree"),
    path("regions/<int:pk>/", registry_views.region_detail, name="region_detail"),
    path("minors/import/", include("cases.imports.urls")),
    path("minors/", include("cases.registry.urls")),
    path("privacy/", include("cases.privacy.urls")),
    path("cases/", include("cases.casework.urls")),
    path("reports/partner-tokens/", include(partner_token_urls)),
    path("reports/", include("referrals.intake.urls")),
    path("", include("referrals.discovery.urls")),
    path("", include("cases.alerts.urls")),
    path("", include("screening.urls")),
    path("referrals/", include("referrals.referrals.urls")),
    path("", include("governance.urls")),
    path("", include("reporting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((api_v1, "v1"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
# Uploaded files (visit photos) are served only by views that check access; never from MEDIA_URL.
