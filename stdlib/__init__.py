"""The standard library: built-in tools, prompt templates and capability probes shared by
the compiler and the runtime."""
