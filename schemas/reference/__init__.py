"""Versioned reference data shipped with the contract: each file dated by row and sourced (manifest.json).

Codes on an event are read as of the event's local date; every lookup raises ContractViolation
with the reason when a code is unknown or not in force.
"""

from schemas.reference.agencies import Agency, agencies, agency, agency_history, publishing_agencies
from schemas.reference.categories import (
    Bucket,
    ViolationCategory,
    bucket_of,
    categories_on,
    category,
    category_history,
)
from schemas.reference.datasets import VIETNAM, Confidence, Dataset, datasets, local_date
from schemas.reference.fine_maxima import FineMaximum, Offender, fine_maxima_on, fine_maximum
from schemas.reference.handling import HandlingCode, handling_code, handling_codes
from schemas.reference.platforms import Channel, Platform, channel, channels, platform, platforms
from schemas.reference.provinces import (
    Province,
    current_province,
    province_history,
    province_on,
    provinces_on,
    retired_codes,
    reused_codes,
)

__all__ = [
    "VIETNAM",
    "Agency",
    "Bucket",
    "Channel",
    "Confidence",
    "Dataset",
    "FineMaximum",
    "HandlingCode",
    "Offender",
    "Platform",
    "Province",
    "ViolationCategory",
    "agencies",
    "agency",
    "agency_history",
    "bucket_of",
    "categories_on",
    "category",
    "category_history",
    "channel",
    "channels",
    "current_province",
    "datasets",
    "fine_maxima_on",
    "fine_maximum",
    "handling_code",
    "handling_codes",
    "local_date",
    "platform",
    "platforms",
    "province_history",
    "province_on",
    "provinces_on",
    "publishing_agencies",
    "retired_codes",
    "reused_codes",
]
