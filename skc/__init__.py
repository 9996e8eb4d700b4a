"""skc, the skill compiler: agent skills and runbooks compiled to a typed dataflow IR."""

__version__ = "0.1.0"
