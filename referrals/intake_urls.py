from django.urls import path

from referrals import intake_views

urlpatterns = [
    path("", intake_views.report_list, name="report_list"),
    path("new/", intake_views.report_new, name="report_new"),
    path("<int:pk>/", intake_views.report_detail, name="report_detail"),
    path("<int:pk>/<slug:step>/", intake_views.report_act, name="report_act"),
    path("partner-tokens/", intake_views.partner_tokens, name="partner_tokens"),
    path("partner-tokens/issue/", intake_views.partner_token_issue, name="partner_token_issue"),
    path("partner-tokens/<int:pk>/revoke/", intake_views.partner_token_revoke, name="partner_token_revoke"),
]
