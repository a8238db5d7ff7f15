"""The quarterly analysis reports (issue 6 §3): list, generate, progress, PDF, submit, reply."""

from django.urls import path

from reporting.analysis import views

urlpatterns = [
    path("analysis-reports/", views.analysis_report_list, name="analysis_report_list"),
    path("analysis-reports/request/", views.analysis_report_request, name="analysis_report_request"),
    path("analysis-reports/<int:pk>/", views.analysis_report_detail, name="analysis_report_detail"),
    path("analysis-reports/<int:pk>/progress/", views.analysis_report_progress, name="analysis_report_progress"),
    path("analysis-reports/<int:pk>/pdf/", views.analysis_report_pdf, name="analysis_report_pdf"),
    path("analysis-reports/<int:pk>/regenerate/", views.analysis_report_regenerate, name="analysis_report_regenerate"),
    path("analysis-reports/<int:pk>/submit/", views.analysis_report_submit, name="analysis_report_submit"),
    path("analysis-reports/<int:pk>/reply/", views.analysis_report_reply, name="analysis_report_reply"),
    path(
        "analysis-reports/<int:pk>/replies/<int:reply_pk>/attachment/",
        views.analysis_report_reply_attachment,
        name="analysis_report_reply_attachment",
    ),
]
