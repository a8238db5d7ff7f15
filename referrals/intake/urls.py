from django.urls import path

from referrals.intake import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("new/", views.report_new, name="report_new"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/<slug:step>/", views.report_act, name="report_act"),
]
