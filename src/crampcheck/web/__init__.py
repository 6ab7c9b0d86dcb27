"""The web app and JSON API (FastAPI): a thin shell over the core."""
