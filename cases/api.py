def register_routes(router) -> None:
    pass
