from django.urls import path

from cases.privacy.moves import views

urlpatterns = [
    path("moves/", views.move_request_list, name="privacy_moves_list"),
    path("moves/<int:pk>/", views.move_request_detail, name="privacy_moves_detail"),
]
