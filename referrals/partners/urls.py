from django.urls import path

from referrals.partners import views

urlpatterns = [
    path("", views.department_list, name="partner_department_list"),
    path("<int:pk>/", views.department_detail, name="partner_department_detail"),
    path("<int:pk>/attach/", views.staff_attach, name="partner_staff_attach"),
    path("<int:pk>/create/", views.staff_create, name="partner_staff_create"),
    path("<int:pk>/posts/<int:post_pk>/detach/", views.staff_detach, name="partner_staff_detach"),
]
