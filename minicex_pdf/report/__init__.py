"""The progress report: per-trainee figures (no averages) and the PDF that shows them."""
