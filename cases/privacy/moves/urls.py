from django.urls import path

from cases.privacy.moves import views

urlpatterns = [
    path("moves/", views.move_request_list, name="privacy_moves_list"),
    path("moves/<int:pk>/", views.move_request_detail, name="privacy_moves_detail"),
    path("moves/measures/<int:pk>/assign/", views.moved_measure_assign, name="privacy_moves_measure_assign"),
]
