from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny


def register_routes(router) -> None:
    pass


@api_view(["POST"])
@permission_classes([AllowAny])
def token_obtain(request):
    raise NotImplementedError
