"""The keys under which a booking keeps its provider references (ids, the provider that took the money)."""

from __future__ import annotations

from typing import Final

# The booking reference of a Cal.com booking's uid.
CAL_BOOKING_UID: Final = "cal_booking_uid"

PAYMENT_PROVIDER_REF: Final = "payment_provider"
PAYMENT_GATEWAY_REF: Final = "payment_gateway"  # the `payment_provider` the booking was created with
PAYMENT_ATTEMPT_REF: Final = "payment_attempt"


def payment_method_key(provider: str) -> str:
    """The reference under which a booking keeps the card its payment saved (`stripe_payment_method`)."""
    return f"{provider}_payment_method"


def payment_ref_key(provider: str) -> str:
    """The reference under which a booking keeps the provider's payment id (`stripe_payment_intent`)."""
    return f"{provider}_payment_intent"


# Driver trips: the booking's references keep the driver app's last status and trip id.
TRIP_STATUS: Final = "driver_app_status"
TRIP_ID: Final = "driver_app_trip_id"
