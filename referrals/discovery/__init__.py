"""Discovery channels of the town (domain.md §7.1, §13): patrol groups and their logs, sentinel points."""
