"""Viewer engines (PDFium, MuPDF, pdf.js, poppler) that fill forms as real viewers do.

Used by the tests and the corpus scripts, never by the product's own commands.
"""
