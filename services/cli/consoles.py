"""Where the CLI writes: results to stdout, errors and progress to stderr."""

from __future__ import annotations

import sys

from rich.console import Console

# Piped output (logs, CI, tests) gets wide tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 200)
