"""E-mail addresses compared as mail providers deliver them: case-blind, Gmail dots and +tags ignored."""

from __future__ import annotations

import re

_SHAPE = re.compile(r"^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
ALIASES = {"googlemail.com": "gmail.com"}
PLUS_TAGS = frozenset({"gmail.com", "outlook.com", "hotmail.com", "live.com", "icloud.com", "proton.me"})
"""Providers that deliver local+anything to local: the tag does not make another mailbox."""
DOTS_IGNORED = frozenset({"gmail.com"})


def email_key(raw: str) -> str | None:
    """'Son.Xinh+shopee@GoogleMail.com' → 'sonxinh@gmail.com'; None when it is not an address."""
    text = raw.strip().lower().removeprefix("mailto:")
    if not _SHAPE.match(text):
        return None
    local, _, domain = text.rpartition("@")
    domain = ALIASES.get(domain, domain)
    if domain in PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None
