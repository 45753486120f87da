"""The hub's services: the shared store, the analyst API, settings, logging and the casehub CLI."""
