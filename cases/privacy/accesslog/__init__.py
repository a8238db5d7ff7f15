"""accesslog (issue 10)."""
