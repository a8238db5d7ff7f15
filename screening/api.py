"""REST API v1 routes of screening's topics: screening.grading.api (assessments, indicators) and
screening.visits.api (visits), screening.campaigns.api (campaigns, campaign items). Alerts are cases.alerts.api."""

from __future__ import annotations

from screening.campaigns.api import register_routes as register_campaign_routes
from screening.grading.api import register_routes as register_grading_routes
from screening.visits.api import register_routes as register_visit_routes


def register_routes(router) -> None:
    register_grading_routes(router)
    register_visit_routes(router)
    register_campaign_routes(router)
