"""Importers for the reports agencies already keep (CSV, XLSX, JSON Lines), told as case events."""
