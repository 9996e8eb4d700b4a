"""LLM backends: the embedded local model (llama.cpp) and OpenAI-compatible endpoints."""
