"""`python -m skc` runs the command line."""

from skc.cli import main

main()
