"""Shared pieces of the front ends: recognising commands in text and shell snippets.

`commands` classifies one shell command (program, effects, result type), `variables` finds
the document variables in it and the placeholders they become, `code_effects` gives the
effects of SQL and Python blocks, `command_rules` holds the table of known programs,
`shell_text` splits console text into logical lines.
"""
