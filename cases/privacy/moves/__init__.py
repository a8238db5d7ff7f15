"""moves (issue 10)."""
