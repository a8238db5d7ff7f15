"""What a service refuses, named for what it is, and mapped to HTTP once (issue 11 §4).

- `ActionNotAllowed`: the actor's posts do not allow this action on this object (403). It is Django's
  PermissionDenied, so pages answer 403 without a handler of their own.
- Django's `ValidationError` (with codes and, where it has them, fields): the input is wrong (400 with
  field errors in the API; views attach it to their form).
- An object outside the actor's reach is never an error of this kind: selectors make it absent (404).

`minorprot.api.exception_handler` (settings REST_FRAMEWORK["EXCEPTION_HANDLER"]) turns the first two into
DRF's errors, so API views call services without try/except.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ActionNotAllowed(PermissionDenied):
    """The actor's post does not allow this action (403). The message says why, in the user's language."""
