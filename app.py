"""Sésame's entry point: `flask --app app run` and gunicorn's `app:create_app()` load it."""
from wizard import create_app

__all__ = ["create_app"]
