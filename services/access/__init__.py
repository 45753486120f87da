"""Who is asking and what they may do: principals, how credentials resolve to them, and the audit log."""
