"""The demo district (`manage.py seed_demo`): every demo builder, apart from the product.

An app installed only by the development and test settings (minorprot/settings/local.py, test.py); production
neither installs nor imports it. The product imports nothing from here. Each builder writes through the
services a user's click calls, only adds, and keys its "already done" check on rows the demo made (its division
codes 500199…, its logins, its fixed texts), so a second run changes nothing whatever users did in between.

district.py    the district, its logins and the name lists (the README's table lists the same logins)
registry.py    the registry: regions, logins and posts, about 200 minors, baseline counts; demo_minors()
screening.py   grades and visits
casework.py    departments, working groups, demo rates, the cases' stories
referrals.py   the partners' departments and tokens, referrals and intake reports
governance.py  leadership-group and liaison meetings
reporting.py   frozen past quarters, 青溪镇's analysis report and its reply
privacy.py     a sealed record, correction requests, a clerk's grants history
backdating.py  the one place that lifts the append-only triggers, to date the demo's history back
management/commands/seed_demo.py   runs the builders above in a listed order
"""
