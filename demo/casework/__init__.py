"""Demo casework (issue 4): seed.py is the builder seed_demo runs (departments, groups, rates, which case gets
which story), stories.py each case's story, history.py the dates moved back afterwards."""

from demo.casework.seed import seed_casework

__all__ = ["seed_casework"]
