"""Reports and clues about children (domain.md §7): the towns' intake queue, first-receiver responsibility,
triage and the workflow to closing; partners submit and poll through the API."""
