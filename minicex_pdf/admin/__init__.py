"""The administrator's tools: who is missing, what to chase (status, chase list, tables)."""
