"""The analyst API (FastAPI)."""
