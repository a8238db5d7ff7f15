def register_routes(router) -> None:
    """Register this topic's API views on the v1 router."""
