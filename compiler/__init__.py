"""The compiler: front ends (documents -> IR), passes (IR -> IR), bundles (IR -> disk).

Nothing here imports `skc.runtime`: data flows front end -> IR -> passes -> bundle -> runtime.
"""
