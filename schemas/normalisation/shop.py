"""Shops on a platform → 'platform:handle', from a shop id or any URL a clerk copies (desktop, mobile,
share link, product page). Two spellings of one shop give one key; different platforms never collide.

Handles are the platform's own: Shopee's numeric shop id or username, a Lazada shop slug, a TikTok or
Instagram @username, a Facebook page username (dots and case ignored, as Facebook does) or numeric id.
A share link (s.shopee.vn/…, vt.tiktok.com/…) cannot be resolved offline; it is kept as its own key,
which still matches the same link copied by another agency. A seller's own website is 'website:<host>'.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from schemas.normalisation.phone import phone_key

Parser = Callable[[list[str], dict[str, list[str]]], str | None]

_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.", "mbasic.", "vi-vn.", "vn.", "business.")
_SHOPEE_ITEM = re.compile(r"-i\.(\d+)\.\d+$")
_HANDLE = re.compile(r"^[a-z0-9._-]{1,100}$")
_SHOPEE_PAGES = frozenset(
    {"search", "cart", "checkout", "user", "buyer", "mall", "flash_sale", "daily_discover", "product", "shop"}
    | {"m", "universal-link", "verify"}
)
"""First path segments of Shopee pages that are not a shop's username."""
_FACEBOOK_PAGES = frozenset(
    {"watch", "marketplace", "events", "login", "photo", "photo.php", "permalink.php", "story.php", "reel"}
    | {"hashtag", "search", "sharer", "sharer.php", "home.php"}
)


def shop_key_of_id(platform: str | None, shop_id: str) -> str | None:
    """A shop id as an agency recorded it on a platform ('sonxinh.official', '@minhanhfashion', '123456')."""
    text = shop_id.strip()
    if re.match(r"^(https?://)?[\w-]+(\.[\w-]+)+/", text, re.IGNORECASE):
        return shop_key_of_url(text)
    if not platform or not text:
        return None
    handle = _handle(platform, text)
    return f"{platform}:{handle}" if handle else None


def shop_key_of_url(url: str) -> str | None:
    """'https://m.shopee.vn/sonxinh.official?smtt=0', 'shopee.vn/shop/123', 'fb.com/profile.php?id=1'."""
    text = url.strip()
    try:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = (parts.hostname or "").lower()
    except ValueError:  # 'https://[x' (a broken IPv6 literal), a port that is not a number: no shop
        return None
    if not host or "." not in host:
        return None
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    bare = _bare_host(host)
    for name, (platform, parser) in _PLATFORM_HOSTS.items():
        if name in (host, bare):  # the host, or the host without its www., m., ... prefixes
            handle = parser(segments, query)
            return f"{platform}:{handle}" if handle else None
    return f"website:{_bare_host(host)}"


def _bare_host(host: str) -> str:
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return _bare_host(host.removeprefix(prefix))
    return host


def _handle(platform: str, text: str) -> str | None:
    handle = text.lower().removeprefix("@")
    if platform == "facebook" and not handle.isdigit():
        handle = handle.replace(".", "")
    return handle if _HANDLE.match(handle) else None


def _first(segments: list[str], reserved: frozenset[str], platform: str) -> str | None:
    if not segments or segments[0].lower() in reserved:
        return None
    return _handle(platform, segments[0])


def _shopee(segments: list[str], _query: dict[str, list[str]]) -> str | None:
    if len(segments) >= 2 and segments[0] == "shop" and segments[1].isdigit():
        return segments[1]
    if len(segments) >= 3 and segments[0] == "product" and segments[1].isdigit():
        return segments[1]
    if segments and (item := _SHOPEE_ITEM.search(segments[0])):
        return item.group(1)  # a product page 'Ten-san-pham-i.<shop id>.<item id>' names its shop
    return _first(segments, _SHOPEE_PAGES, "shopee")


def _lazada(segments: list[str], _query: dict[str, list[str]]) -> str | None:
    if len(segments) >= 2 and segments[0] == "shop":
        return _handle("lazada", segments[1])
    reserved = frozenset({"products", "catalog", "tag", "shop", "cart", "customer", "wow", "helpcenter"})
    return _first(segments, reserved, "lazada")


def _tiktok(segments: list[str], _query: dict[str, list[str]]) -> str | None:
    if segments and segments[0].startswith("@"):
        return _handle("tiktok", segments[0])
    return None


def _facebook(segments: list[str], query: dict[str, list[str]]) -> str | None:
    if segments[:1] == ["profile.php"]:
        ids = query.get("id", [])
        return ids[0] if ids and ids[0].isdigit() else None
    if len(segments) >= 3 and segments[0] in ("pages", "people") and segments[2].isdigit():
        return segments[2]
    if len(segments) >= 2 and segments[0] == "groups":
        return f"group/{segments[1].lower()}"
    if len(segments) >= 2 and segments[0] == "share":
        return f"share/{segments[-1]}"
    return _first(segments, _FACEBOOK_PAGES, "facebook")


def _share(segments: list[str], _query: dict[str, list[str]]) -> str | None:
    """A short link's code is case-sensitive and names one target; kept as is."""
    return f"share/{segments[0]}" if segments else None


def _zalo(segments: list[str], _query: dict[str, list[str]]) -> str | None:
    """zalo.me/<phone> is the seller's phone number (a Zalo account is opened with one)."""
    if segments and (phone := phone_key(segments[0])):
        return phone
    return _first(segments, frozenset({"g", "s"}), "zalo")


def _youtube(segments: list[str], _query: dict[str, list[str]]) -> str | None:
    if segments and segments[0].startswith("@"):
        return _handle("youtube", segments[0])
    if len(segments) >= 2 and segments[0] == "channel":
        return f"channel/{segments[1]}"
    if len(segments) >= 2 and segments[0] in ("c", "user"):
        return _handle("youtube", segments[1])
    return None


def _under(prefix: str, platform: str) -> Parser:
    """Shops that live under one path: tiki.vn/cua-hang/<slug>, sendo.vn/shop/<slug>."""

    def parse(segments: list[str], _query: dict[str, list[str]]) -> str | None:
        return _handle(platform, segments[1]) if len(segments) >= 2 and segments[0] == prefix else None

    return parse


def _plain(platform: str, reserved: frozenset[str] = frozenset()) -> Parser:
    def parse(segments: list[str], _query: dict[str, list[str]]) -> str | None:
        return _first(segments, reserved, platform)

    return parse


_PLATFORM_HOSTS: dict[str, tuple[str, Parser]] = {
    "s.shopee.vn": ("shopee", _share),
    "shp.ee": ("shopee", _share),
    "shopee.vn": ("shopee", _shopee),
    "s.lazada.vn": ("lazada", _share),
    "lazada.vn": ("lazada", _lazada),
    "vt.tiktok.com": ("tiktok", _share),
    "vm.tiktok.com": ("tiktok", _share),
    "tiktok.com": ("tiktok", _tiktok),
    "fb.me": ("facebook", _plain("facebook")),
    "m.me": ("facebook", _plain("facebook")),
    "fb.com": ("facebook", _facebook),
    "facebook.com": ("facebook", _facebook),
    "instagram.com": (
        "instagram",
        _plain("instagram", frozenset({"p", "reel", "reels", "stories", "explore"})),
    ),
    "youtube.com": ("youtube", _youtube),
    "tiki.vn": ("tiki", _under("cua-hang", "tiki")),
    "sendo.vn": ("sendo", _under("shop", "sendo")),
    "t.me": ("telegram", _plain("telegram")),
    "telegram.me": ("telegram", _plain("telegram")),
    "zalo.me": ("zalo", _zalo),
}
PLATFORMS_OF_URLS = frozenset({platform for platform, _parser in _PLATFORM_HOSTS.values()} | {"website"})
"""Every platform a key read from a URL can name ('website' for a seller's own host)."""
