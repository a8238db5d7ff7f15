from django.contrib.auth import views as auth_views
from django.urls import path

from tiers import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/", views.region_tree, name="region_tree"),
    path("regions/<int:pk>/", views.region_detail, name="region_detail"),
]
