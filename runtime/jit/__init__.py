"""JIT solidification of repeated LLM steps and native lowering of pure computation."""
