"""Looking up the catalog from a use case: an offering a request names, or the refusal it gets."""

from __future__ import annotations

from application.errors import UnknownOffering
from application.ports import CatalogSource
from domain.catalog import Offering


def offering_of(source: CatalogSource, offering_id: str) -> Offering:
    """The offering, or `UnknownOffering` (404 `unknown_offering`)."""
    offering = source.catalog.offerings.get(offering_id)
    if offering is None:
        raise UnknownOffering(f"no offering {offering_id!r}")
    return offering
