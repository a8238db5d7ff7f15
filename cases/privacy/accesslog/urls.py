from django.urls import path

from cases.privacy.accesslog import views

urlpatterns = [
    path("access-log/", views.access_log, name="privacy_accesslog_list"),
    path("access-log/minors/<int:minor_pk>/", views.access_log, name="privacy_accesslog_minor"),
    path("access-log/users/<int:user_pk>/", views.access_log, name="privacy_accesslog_user"),
    path("emergency-access/", views.emergency_access, name="privacy_accesslog_emergency"),
    path("emergency-access/<int:pk>/end/", views.emergency_access_end_view, name="privacy_accesslog_emergency_end"),
]
