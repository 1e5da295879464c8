"""``python -m durable_research.cli``."""

from durable_research.cli import main

main()
