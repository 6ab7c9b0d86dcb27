"""crampcheck: leg-cramp guidance as cited data."""

__version__ = "0.1.0"
