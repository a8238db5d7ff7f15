"""Bringing a county's tree and its staff in from a sheet (issue 12 §2; domain.md §1.1, §1.2, §1.4)."""
