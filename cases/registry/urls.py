from django.urls import path

from cases.registry import views

urlpatterns = [
    path("", views.registry_list, name="registry_list"),
    path("new/", views.minor_create, name="minor_create"),
    path("<int:pk>/", views.minor_detail, name="minor_detail"),
    path("<int:pk>/edit/", views.minor_edit, name="minor_edit"),
    path("<int:pk>/move/", views.minor_move, name="minor_move"),
    path("<int:pk>/close/", views.minor_close, name="minor_close"),
    path("<int:pk>/reopen/", views.minor_reopen, name="minor_reopen"),
    path("<int:pk>/access-log/", views.minor_access_log, name="minor_access_log"),
]
