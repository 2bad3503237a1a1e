"""`python -m api.cli`: the `specrag` command."""

from api.cli import main

main()
