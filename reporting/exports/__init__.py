"""Ledger exports (issue 6 §2): the registry list as a workbook, small ones at once, large ones built in the
background."""
