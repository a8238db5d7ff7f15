"""CI: the running demo (make demo) serves the login page, answers an authenticated API request
with the seeded registry, and runs the every-minute scheduled job. Usage: demo_check.py BASE_URL"""

from __future__ import annotations

import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from demo.district import DEMO_PASSWORD

BASE = sys.argv[1].rstrip("/")
if not BASE.startswith("http://"):
    sys.exit("usage: demo_check.py http://host:port")
LOGIN = "qingxi_office"  # a town civil-affairs officer of the demo district


def get(path: str, headers: dict | None = None, timeout: float = 10):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    request = urllib.request.Request(BASE + path, headers=headers or {})  # noqa: S310 - http only, checked above
    with opener.open(request, timeout=timeout) as response:
        return response.status, response.geturl(), response.read().decode()


def health() -> dict | None:
    try:
        return json.loads(get("/healthz", timeout=5)[2])
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return None


def wait_for(what: str, condition, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            print(f"ok: {what}")
            return
        time.sleep(2)
    sys.exit(f"FAILED: {what} (waited {seconds}s)")


wait_for("the demo server answers /healthz", lambda: health() is not None, 300)
report = health()
assert report["database"]["ok"] and report["broker"]["ok"], report
assert report["broker"]["transport"] == "filesystem", report

status, url, page = get("/")
assert status == 200 and 'name="password"' in page, f"no login page at {url}"
print(f"ok: {url} shows the login page")

request = urllib.request.Request(  # noqa: S310 - http only, checked above
    BASE + "/api/v1/auth/token/",
    data=json.dumps({"username": LOGIN, "password": DEMO_PASSWORD}).encode(),
    headers={"Content-Type": "application/json"},
    method="POST",
)
with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http only, checked above
    token = json.loads(response.read())["token"]
print(f"ok: POST /api/v1/auth/token/ as {LOGIN}")

status, _url, body = get("/api/v1/minors/", headers={"Authorization": f"Token {token}"})
minors = json.loads(body)
assert status == 200 and minors["count"] > 0, minors
print(f"ok: GET /api/v1/minors/ lists {minors['count']} minors in {LOGIN}'s town")

# The seeded visit history leaves some children overdue: the escalation rules ran on SQLite too.
status, _url, body = get("/api/v1/alerts/?rule=VISIT_OVERDUE", headers={"Authorization": f"Token {token}"})
alerts = json.loads(body)
assert status == 200 and alerts["count"] > 0, alerts
print(f"ok: GET /api/v1/alerts/ shows {alerts['count']} overdue-visit alerts in {LOGIN}'s town")

# seed_demo worked the cases that grading opened: the town's case board is not empty.
status, _url, body = get("/api/v1/cases/", headers={"Authorization": f"Token {token}"})
cases = json.loads(body)
assert status == 200 and cases["count"] > 0, cases
print(f"ok: GET /api/v1/cases/ lists {cases['count']} open cases in {LOGIN}'s town")

# A town leader's browser session: the dashboard, and a quarterly analysis report generated on demand by
# the Celery worker (through the file broker) into a real PDF.
import re  # noqa: E402
import urllib.parse  # noqa: E402

jar = http.cookiejar.CookieJar()
browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def page(path: str, data: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = {"Referer": BASE + path}
    csrf = next((c.value for c in jar if c.name == "csrftoken"), None)
    if csrf:
        headers["X-CSRFToken"] = csrf
    request = urllib.request.Request(BASE + path, data=body, headers=headers)  # noqa: S310 - http only
    with browser.open(request, timeout=60) as response:
        return response.status, response.geturl(), response.read()


page("/login/")
page("/login/", {"username": "qingxi_leader", "password": DEMO_PASSWORD, "next": "/"})
status, url, body = page("/dashboard/")
assert status == 200 and "青溪镇" in body.decode() and 'data-testid="headline-active"' in body.decode(), url
print(f"ok: {url} shows 青溪镇's dashboard to qingxi_leader")
status, url, body = page("/analysis-reports/")
assert "已回复" in body.decode(), "the seeded, answered 青溪镇 report is not listed"
region = re.search(r'<option value="(\d+)"[^>]*>青溪镇', body.decode()).group(1)
today = time.localtime()
quarter = f"{today.tm_year}Q{(today.tm_mon - 1) // 3 + 1}"  # the current quarter: live figures
status, report_url, body = page("/analysis-reports/request/", {"region": region, "quarter": quarter})
assert "/analysis-reports/" in report_url, report_url
report_path = urllib.parse.urlparse(report_url).path


def report_ready() -> bool:
    return "/pdf/" in page(report_path)[2].decode()


wait_for(f"the worker generated 青溪镇's {quarter} analysis report ({report_path})", report_ready, 180)
status, _url, pdf = page(report_path + "pdf/")
assert status == 200 and pdf.startswith(b"%PDF"), pdf[:20]
print(f"ok: the report downloads as a PDF of {len(pdf) // 1024} KB")

# Beat sends the heartbeat job every minute through the file broker; the worker runs it on SQLite.
wait_for("a scheduled job ran (heartbeat)", lambda: ((health() or {}).get("heartbeat") or {}).get("runs", 0) >= 1, 180)
print(json.dumps(health(), ensure_ascii=False))
