"""Lark grammars (the .skflow workflow language), shipped as package data."""
