"""The program table now lives in `skc.stdlib.shell.programs` (the runtime's read-only
check uses it too); this name stays for the front ends that import it from here."""

from skc.stdlib.shell.programs import SESSION_PROGRAMS, known_program, segment_effects
from skc.stdlib.shell.query import strip_wrappers
from skc.stdlib.shell.sql import classify_sql_text

__all__ = ["SESSION_PROGRAMS", "classify_sql_text", "known_program", "segment_effects", "strip_wrappers"]
