"""The shipped form definitions (minicex-<version>.toml), ready-built blanks and sub-goal data.

Installed as the package ``minicex_pdf.forms`` so that an installed minicex-pdf
finds them; in the repository they live in the top-level ``forms/`` folder.
"""
