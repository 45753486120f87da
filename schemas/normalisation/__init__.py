"""Matching keys of seller identifiers: the one spelling two agencies' records of the same value share.

Pure functions, no I/O: every normaliser returns the canonical key, or None when the text identifies nobody
(unparseable, a placeholder such as "0000000000" or "N/A", a platform hotline). Strong keys (phone, tax
code, shop, e-mail, keyed hashes of national id and bank account) may link subjects into one seller; weak
keys (name, address) only suggest.
"""

from schemas.normalisation.address import address_key
from schemas.normalisation.email import email_key
from schemas.normalisation.keyed import keyed_hash_key
from schemas.normalisation.name import name_key
from schemas.normalisation.phone import phone_key
from schemas.normalisation.shop import shop_key_of_id, shop_key_of_url
from schemas.normalisation.tax_code import tax_code_key

__all__ = [
    "address_key",
    "email_key",
    "keyed_hash_key",
    "name_key",
    "phone_key",
    "shop_key_of_id",
    "shop_key_of_url",
    "tax_code_key",
]
