"""sealing (issue 10)."""
