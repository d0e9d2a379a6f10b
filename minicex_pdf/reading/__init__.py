"""Reading returned forms: the byte lexer, the AcroForm walker, the reader, validation rules and the typed record."""
