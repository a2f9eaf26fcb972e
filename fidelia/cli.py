"""The `fidelia` command: Django's management commands under one name.

    fidelia demo                 create the embedded database, load demo data, serve, print logins
    fidelia serve                serve the CRM
    fidelia seed --customers N   generate realistic French data, with a progress bar
    fidelia createuser NAME      create a user with a role
    fidelia analytics run|show   portfolio analytics (Pareto, ABC, RFM, FRAT)
    fidelia analytics value|attrition|portfolio …
                                 the same as `fidelia value …`, `fidelia attrition …`, `fidelia portfolio …`
    fidelia <any manage.py command>
"""
from __future__ import annotations

import os
import sys

# Every analysis is also reachable under `fidelia analytics`: the customer value, attrition and
# portfolio commands keep their own names, and `fidelia analytics <family> …` runs them.
ANALYTICS_FAMILIES = ("value", "attrition", "portfolio")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 2 and args[0] == "analytics" and args[1] in ANALYTICS_FAMILIES:
        args = args[1:]
    execute_from_command_line(["fidelia", *(args or ["help"])])
