"""The runtime: runs a compiled workflow as a parallel, durable, inspectable program.

The scheduler walks the dataflow graph with an event-driven ready queue; each op
runs on a target (`runtime/targets/`: CPU tools, LLM backends); results go to the
journal before dependents start; every step emits trace events.

Runtime values by IR type: !skc.text -> str, !skc.json -> JSON data (dict/list/...),
!skc.table -> list of row dicts, !skc.bool -> bool, !skc.num -> int | float,
!skc.file -> a path (str), !skc.token -> None.
"""
