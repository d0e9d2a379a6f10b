"""minicex-pdf: bilingual fillable mini-CEX forms, read back into records."""

from __future__ import annotations

from .errors import MinicexError
from .form.definition import FormDefinition, load_definition

__all__ = ["FormDefinition", "MinicexError", "__version__", "load_definition"]
__version__ = "0.1.0"
