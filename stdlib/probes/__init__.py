"""Capability probes: randomised, code-graded tasks that measure a model on SkVM's primitives."""
