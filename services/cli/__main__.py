"""`python -m services.cli`: the casehub CLI, for child processes started with this interpreter
(`casehub consume --processes N` runs its members so, whether or not the `casehub` script is on PATH)."""

from services.cli.app import main

main()
