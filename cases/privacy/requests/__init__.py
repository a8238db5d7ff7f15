"""requests (issue 10)."""
