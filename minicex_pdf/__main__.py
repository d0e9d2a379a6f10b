"""``python -m minicex_pdf``: the same as the ``minicex`` command."""

from __future__ import annotations

from .cli import main

main()
