"""Writing the access log (issue 10 §1; domain.md §13 "audit logs"), used by every app.

- `recorder`: the request's read trail (which minors were loaded); imports no models, so models import it.
- `services`: `AccessLogMiddleware` (one INSERT per response), explicit rows for exports, the DRF mixin.

Reading the log, break-the-glass and the export of the log are pages of the privacy topic
(cases/privacy/accesslog/).
"""
