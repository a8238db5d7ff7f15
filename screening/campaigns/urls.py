from django.urls import path

from screening.campaigns import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/villages/<int:village_pk>/", views.campaign_village, name="campaign_village"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaign-items/<int:pk>/confirm/", views.campaign_item_confirm, name="campaign_item_confirm"),
]
