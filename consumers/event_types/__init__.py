"""One home per event type: each module here declares what its payload class contributes to the hub.

See registry.py for how the entries are found and docs/architecture.md, "Adding an event type".
"""
