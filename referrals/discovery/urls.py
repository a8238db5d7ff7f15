from django.urls import path

from referrals.discovery import views

urlpatterns = [
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/new/", views.patrol_log_new, name="patrol_log_new"),
    path("patrols/<int:pk>/", views.patrol_log_detail, name="patrol_log_detail"),
    path("patrols/groups/new/", views.patrol_group_new, name="patrol_group_new"),
    path("patrols/groups/<int:pk>/", views.patrol_group_detail, name="patrol_group_detail"),
    path("sentinel-points/", views.sentinel_point_list, name="sentinel_point_list"),
    path("sentinel-points/new/", views.sentinel_point_new, name="sentinel_point_new"),
    path("sentinel-points/<int:pk>/", views.sentinel_point_detail, name="sentinel_point_detail"),
    path(
        "sentinel-points/<int:pk>/administrator/",
        views.sentinel_point_administrator,
        name="sentinel_point_administrator",
    ),
    path("sentinel-points/<int:pk>/active/", views.sentinel_point_active, name="sentinel_point_active"),
]
