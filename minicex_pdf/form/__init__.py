"""The form: its definition (from ``forms/``), the sub-goal catalogue, rosters, and the PDF generator."""
