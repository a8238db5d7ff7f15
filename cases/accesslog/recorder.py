"""The request's read trail: which minors' records were loaded while answering one request.

This is the one door through which the access log learns what a user saw (issue 10 §1; domain.md §13
"audit logs"). `AccessLogMiddleware` (cases/accesslog/services.py) opens a recorder for each request;
`Minor.from_db` (and `Guardian.from_db`, for a guardian shown without its minor) notes the id of every
record loaded from the database while the request is answered; when the response is ready the
middleware writes one AccessLog row per minor noted, in one INSERT. So a page, form, search, API list or
detail that shows a child logs the read without a call of its own, and a new page cannot forget.

Loads that are not shown to the user (a Celery task run in the request, a bulk job) are wrapped in
`access_suspended()`. The module imports no models, so the models can import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar


class AccessRecorder:
    """What one request loaded. `kind` is the kind of read (AccessLog.Action) when the view says it."""

    __slots__ = ("addressed", "explicit", "kind", "minor_ids", "searched", "suspended")

    def __init__(self) -> None:
        self.minor_ids: dict[int, None] = {}  # an ordered set
        self.explicit: set[int] = set()  # already logged by an explicit call (exports)
        # Records whose existence a check revealed (a duplicate ID number): logged as searches, also when the
        # response refuses the request (a form re-shown, an API 400).
        self.searched: dict[int, None] = {}
        self.kind: str | None = None
        # Whether the URL named an object (/minors/<pk>/…): a record page, not a list.
        self.addressed = False
        self.suspended = 0

    def note(self, minor_id: int | None) -> None:
        if minor_id is not None and not self.suspended:
            self.minor_ids[minor_id] = None

    def pending(self) -> list[int]:
        return [pk for pk in self.minor_ids if pk not in self.explicit]


_current: ContextVar[AccessRecorder | None] = ContextVar("minorprot_access_recorder", default=None)


def recorder_open() -> tuple[AccessRecorder, Any]:
    recorder = AccessRecorder()
    return recorder, _current.set(recorder)


def recorder_close(token: Any) -> None:
    _current.reset(token)


def current_recorder() -> AccessRecorder | None:
    return _current.get()


def access_note(minor_id: int | None) -> None:
    """Note that a minor's record was loaded for the current request (no-op outside a request)."""
    recorder = _current.get()
    if recorder is not None:
        recorder.note(minor_id)


def access_note_search(minor_id: int) -> bool:
    """Note that a check revealed this record to the user (a duplicate ID number "registered elsewhere"): it is
    logged as a search whatever the response. False outside a request (the caller logs it itself)."""
    recorder = _current.get()
    if recorder is None:
        return False
    recorder.searched[minor_id] = None
    return True


def access_note_many(minor_ids: Iterable[int]) -> None:
    recorder = _current.get()
    if recorder is not None:
        for minor_id in minor_ids:
            recorder.note(minor_id)


@contextmanager
def access_suspended() -> Iterator[None]:
    """Loads inside this block are not reads by the user (a job run in the request, a count)."""
    recorder = _current.get()
    if recorder is None:
        yield
        return
    recorder.suspended += 1
    try:
        yield
    finally:
        recorder.suspended -= 1


def access_kind_set(kind: str) -> None:
    """Say, from inside a view, what kind of read this request is (search, form, export …)."""
    recorder = _current.get()
    if recorder is not None:
        recorder.kind = kind


View = TypeVar("View", bound=Callable[..., Any])


def access_kind(kind: str) -> Callable[[View], View]:
    """Decorator for a function view: the kind of read its responses are logged as."""

    def decorate(view: View) -> View:
        view.access_kind = kind  # type: ignore[attr-defined]
        return view

    return decorate


def suspend_for_task(**_kwargs: Any) -> None:
    """Celery task_prerun: a task run eagerly inside a request reads for the system, not the user."""
    recorder = _current.get()
    if recorder is not None:
        recorder.suspended += 1


def resume_after_task(**_kwargs: Any) -> None:
    recorder = _current.get()
    if recorder is not None and recorder.suspended:
        recorder.suspended -= 1
