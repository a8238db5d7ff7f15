"""Web pages of casework (issue 4), one module per sub-topic; cases.casework.urls maps them. Each view parses
input, calls a selector or a service, and renders."""
