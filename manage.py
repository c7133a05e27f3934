#!/usr/bin/env python
"""Developers' entry point to Django's management commands.

Runs in demo mode unless GANZHI_DEMO is set, so a checkout works without a
SECRET_KEY. Operators use ``ganzhi manage …``, which applies the environment as
it is (production refuses to start without a real SECRET_KEY).
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ganzhi.settings")
    os.environ.setdefault("GANZHI_DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
