"""Reads shared by several topics of cases: the break-the-glass grants in force (emergency.py).
The registry's reads, with the one visibility filter `minor_scope_q`, are in cases/registry/selectors.py."""
