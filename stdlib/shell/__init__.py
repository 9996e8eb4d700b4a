"""One shell model for the compiler and the runtime: bash text parsed with tree-sitter-bash
into typed nodes (`model`), queries over them (`query`: every simple command, the
hazards a permission rule must see, the program a command runs), the effects of a
command (`effects`, over the program table in `programs`; whether SQL text writes: `sql`).

Nothing here imports `compiler/` or `runtime/`: both sides use it.
"""

from skc.stdlib.shell.model import (
    Compound,
    Expansion,
    Loc,
    Node,
    Pipeline,
    Redirect,
    Redirected,
    Script,
    Sequence,
    Simple,
    Unknown,
    Word,
)
from skc.stdlib.shell.parse import parse

__all__ = ["Compound", "Expansion", "Loc", "Node", "Pipeline", "Redirect", "Redirected", "Script", "Sequence",
           "Simple", "Unknown", "Word", "parse"]
