from screening.campaigns.urls import urlpatterns as campaign_urls
from screening.grading.urls import urlpatterns as grading_urls
from screening.policy.urls import urlpatterns as policy_urls
from screening.visits.urls import urlpatterns as visit_urls

urlpatterns = [
    *visit_urls,
    *grading_urls,
    *policy_urls,
    *campaign_urls,
]
