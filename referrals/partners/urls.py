from django.urls import path

from referrals.partners import views

urlpatterns = [
    path("", views.department_list, name="partner_department_list"),
    path("<int:pk>/", views.department_detail, name="partner_department_detail"),
    path("<int:pk>/attach/", views.staff_attach, name="partner_staff_attach"),
    path("<int:pk>/create/", views.staff_create, name="partner_staff_create"),
    path("<int:pk>/posts/<int:post_pk>/detach/", views.staff_detach, name="partner_staff_detach"),
]

# The partners' API tokens, mounted under /reports/partner-tokens/ (minorprot/urls.py).
token_urlpatterns = [
    path("", views.partner_tokens, name="partner_tokens"),
    path("issue/", views.partner_token_issue, name="partner_token_issue"),
    path("<int:pk>/revoke/", views.partner_token_revoke, name="partner_token_revoke"),
]
