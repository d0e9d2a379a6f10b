"""The store: SQLite records of imported forms, the batch importer, and exports."""
