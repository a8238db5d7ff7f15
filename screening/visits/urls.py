from django.urls import path

from screening.visits import views

urlpatterns = [
    path("visits/", views.visit_worklist, name="visit_worklist"),
    path("visits/compliance/", views.visit_compliance, name="visit_compliance"),
    path("minors/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit_photo"),
]
