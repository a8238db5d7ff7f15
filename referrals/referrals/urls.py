from django.urls import include, path

from referrals.referrals import views

urlpatterns = [
    path("", views.referral_list_view, name="referral_list"),
    path("<int:pk>/", views.referral_detail_view, name="referral_detail"),
    path("<int:pk>/send/", views.referral_send_view, name="referral_send"),
    path("case/<int:case_pk>/", views.case_referrals_view, name="referral_case"),
    path("suggestions/<int:pk>/decide/", views.suggestion_decide_view, name="referral_suggestion_decide"),
    path("partners/", include("referrals.partners.urls")),
    path("rules/", views.referral_rules_view, name="referral_rules"),
    path("rules/<str:code>/", views.referral_rule_update_view, name="referral_rule_update"),
    path("rules/<str:code>/reset/", views.referral_rule_reset_view, name="referral_rule_reset"),
]
