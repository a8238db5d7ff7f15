from django.urls import path

from . import views

urlpatterns = [
    path("requests/", views.data_request_pending, name="privacy_requests_list"),
    path("requests/<int:pk>/decide/", views.data_request_decide, name="privacy_requests_decide"),
    path("requests/minor/<int:pk>/new/", views.data_request_create, name="privacy_requests_create"),
]
