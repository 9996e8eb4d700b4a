"""Execution targets, one file each: CPU tools and LLM backends (see base.py for the contract)."""
