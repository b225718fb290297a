"""Command-line tasks: `flask demo-data`, `flask create-user`."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    pass
