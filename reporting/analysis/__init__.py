"""The quarterly analysis reports (issue 6 §3): request, generation of the PDF, submission upward, the district's reply."""
