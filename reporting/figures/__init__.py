"""The quarterly figures of a part of the administrative tree (domain.md §12; §4 mechanism 3; §1.3 T-1).

How they are computed, and why this way:

* One pass of grouped queries over the whole subtree counts everything per *leaf* region (the village
  or grid a child lives in): `compute._collect`. No query returns a row per child, so a county of 200,000
  minors costs a few dozen GROUP BY statements, whatever the depth of the tree.
* The counts of any region are the sums of its leaves (`shape.rollup`): a town is the sum of its villages, a
  district of its towns. Freezing a quarter for every region of a county is one pass plus additions.
* What a quarter means: stock figures (children on the ledger, their grades and categories, open cases,
  placements, benefits) are as at the end of the quarter — or now, for the current quarter; flow
  figures (registrations, closures, grade changes, visits due, referrals sent, reports received) are
  those that happened within the quarter.
* A past quarter is reconstructed from the records' own history: a child was on the ledger if
  registered before the end and not closed by then; their grade was the last grade change before the
  end; a case's stage the last stage change. Categories removed later and records re-opened are the
  limits of that reconstruction, which is why the quarter-end job freezes the figures as soon as the
  quarter ends (reporting.services.snapshots) and the dashboard never recomputes a frozen quarter.

One module per family of figures: `registry`, `visits`, `casework`, `referrals` (with intake) collect
their counts per leaf; `common` holds what they share, `shape` rolls up and shapes, `compute` runs them.

The result is a plain JSON-able dict of codes and numbers (no names of children, no labels: those are
added when shown, in the reader's language). `SCHEMA` is bumped when its shape changes.
"""

from reporting.figures.common import GRADES, SCHEMA, UNGRADED, Period
from reporting.figures.compute import figures_compute, figures_compute_tree
from reporting.figures.registry import track_categories

__all__ = [
    "GRADES",
    "SCHEMA",
    "UNGRADED",
    "Period",
    "figures_compute",
    "figures_compute_tree",
    "track_categories",
]
