"""JIT solidification of repeated LLM steps and native lowering of pure computation.

The scheduler wraps every `llm.*` execution in `JitManager.execute`; the manager
records it in the bundle's `ProfileStore`, synthesises a candidate program that
reproduces the recorded pairs (`synthesis`), promotes it after N consecutive
correct predictions, runs it under a guard (`guard`, `sandbox`) and demotes it
after M misses. `candidate_to_ir` turns a promoted candidate into IR, and
`recompile` (`skc recompile`, `skc run --recompile`) writes promoted ops back into
a bundle as guarded code regions that fall back to the LLM step; `native` lowers
numeric row predicates to MLIR/LLVM. docs/jit.md describes the whole mechanism.
"""

from skc.runtime.jit.guard import JitConfig, JitEvent, OpState, check_output
from skc.runtime.jit.lowering import candidate_to_ir
from skc.runtime.jit.manager import JitManager
from skc.runtime.jit.program import Candidate, evaluate
from skc.runtime.jit.pycode import candidate_to_python
from skc.runtime.jit.sandbox import Sandbox
from skc.runtime.jit.store import Pair, ProfileStore, op_key
from skc.runtime.jit.synthesis import CodeRequest, CodeWriter, backend_code_writer, synthesize
from skc.runtime.jit.toolseq import ToolSequence, synthesize_tool_sequence, tool_sequence_to_ir

__all__ = [
    "Candidate", "CodeRequest", "CodeWriter", "JitConfig", "JitEvent", "JitManager", "OpState",
    "Pair", "ProfileStore", "Sandbox", "ToolSequence", "backend_code_writer", "candidate_to_ir",
    "candidate_to_python",
    "check_output", "evaluate", "op_key", "synthesize", "synthesize_tool_sequence",
    "tool_sequence_to_ir",
]
