"""The leadership dashboard (issue 6 §1): the figures of the viewer's part of the tree, drill-down, trend, tables
and charts of the figures, the figures API."""
