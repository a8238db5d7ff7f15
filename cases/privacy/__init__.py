"""Privacy of minors' personal information (issue 10; domain.md §13): sealing, moves that hand over,
who read what (the access log pages and break-the-glass access), and correction/deletion requests.
One sub-package per topic, each with its services, views, API and urls."""
