"""The `fidelia` command: Django's management commands under one name.

    fidelia demo                 create the embedded database, load demo data, serve, print logins
    fidelia serve                serve the CRM
    fidelia seed --customers N   generate realistic French data, with a progress bar
    fidelia createuser NAME      create a user with a role
    fidelia <any manage.py command>
"""
from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["fidelia", *(args or ["help"])])
