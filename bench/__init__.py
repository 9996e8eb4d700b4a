"""skc's benchmarks: one module per subject, each runnable as `python -m bench.<name>`.

Each benchmark warms up, takes the median of several repeats, prints a small
table and writes `bench/results/<name>.json`, the baseline the next run is read
against. Benchmarks are never timed assertions in the test suite.
"""
