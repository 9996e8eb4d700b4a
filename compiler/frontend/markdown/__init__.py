"""The markdown machinery shared by the runbook and skill front ends.

`document` parses markdown into a tree of sections and blocks (markdown-it tokens);
`steps` finds the steps (`step_model`), `snippets` and `prose` recognise what their text
and code mean, and `lower` (with `lower_code`, `lower_map`, `predicates`) turns steps
into IR. `front_matter` reads the YAML header.
"""
