from django.urls import path

from screening import views
from screening.grading.urls import urlpatterns as grading_urls
from screening.policy.urls import urlpatterns as policy_urls
from screening.visits.urls import urlpatterns as visit_urls

urlpatterns = [
    *visit_urls,
    *grading_urls,
    *policy_urls,
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("notifications/", views.notification_list_view, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_mark_read, name="notification_mark_read"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
]
