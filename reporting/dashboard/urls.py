from django.urls import path

from reporting.dashboard import views as dashboard_views

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard_home, name="dashboard_home"),
    path("dashboard/<int:pk>/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/<int:pk>/export.xlsx", dashboard_views.dashboard_export, name="dashboard_export"),
]
