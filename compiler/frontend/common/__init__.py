"""Shared pieces of the front ends: recognising commands in text and shell snippets.

`commands` classifies one shell command (program, effects, result type), `command_rules`
holds the table of known programs, `shell_text` splits console text into logical lines.
"""
