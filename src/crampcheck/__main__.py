"""``python -m crampcheck``."""

from crampcheck.cli import main

main()
