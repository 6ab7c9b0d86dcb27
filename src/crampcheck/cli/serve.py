"""CLI command: ``crampcheck serve``, the web app and API on uvicorn."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""

    @app.command()
    def serve(
        host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
        port: int = typer.Option(None, "--port", help="Port to listen on (default 8000)."),
        database_url: str = typer.Option(
            None, "--database-url", help="Database URL (default: SQLite in your data folder)."
        ),
        multi_user: bool = typer.Option(
            None, "--multi-user/--personal", help="Accounts for several people (default: personal)."
        ),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    ) -> None:
        """Start the web app and API (open http://127.0.0.1:8000 in a browser)."""
        import os

        import uvicorn

        from crampcheck.config import Settings
        from crampcheck.web.app import create_app

        settings = Settings.from_env(database_url=database_url, multi_user=multi_user, host=host, port=port)
        web_app = create_app(settings)
        typer.echo(f"crampcheck: http://{settings.host}:{settings.port}/  (Ctrl+C to stop)")
        # Behind a reverse proxy, the client's address (which sign-in limits count) comes from the
        # proxy's X-Forwarded-For, trusted only from the addresses listed (docs/deploy.md).
        proxies = os.environ.get("CRAMPCHECK_FORWARDED_ALLOW_IPS", "")
        # Access logs hold paths only; answers never travel in URLs, so nothing personal is logged.
        uvicorn.run(
            web_app,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
        )
