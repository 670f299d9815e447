"""The scheduling flows write no personal data or provider secrets to the logs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.memory.clock import FixedClock
from tests.http.test_no_personal_data_in_logs import (
    CLIENT_LOGGERS,
    DRIVER_LOGGERS,
    EMAIL,
    NAME,
    PERSONAL,
    PHONE,
    _every_record,
    _leaks,
)
from tests.support.app import running_app
from tests.support.providers import (
    ACUITY_API_KEY,
    ACUITY_USER_ID,
    CAL_API_KEY,
    CAL_WEBHOOK_SECRET,
    acuity_appointment,
    acuity_notification,
    cal_webhook,
    fake_provider,
)

CATALOG = Path(__file__).parents[1] / "support" / "scheduling_catalog.toml"
SECRETS = (ACUITY_API_KEY, CAL_API_KEY, CAL_WEBHOOK_SECRET)


async def test_acuity_calcom_and_schedule_flows_write_no_personal_data_or_secrets(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    first, last = NAME.split()
    forms = [
        {
            "name": "Trip",
            "values": [{"name": "Phone", "value": PHONE}, {"name": "Address", "value": "7 Rue Zacharie"}],
        }
    ]
    with _every_record(caplog) as records, fake_provider() as provider:
        provider.appointments["501"] = acuity_appointment(
            501, firstName=first, lastName=last, email=EMAIL, forms=forms
        )
        async with running_app(
            sqlite_url,
            clock=FixedClock(datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),
            catalog=CATALOG,
            acuity_user_id=ACUITY_USER_ID,
            acuity_api_key=ACUITY_API_KEY,
            acuity_api_base=provider.base,
            cal_api_key=CAL_API_KEY,
            cal_webhook_secret=CAL_WEBHOOK_SECRET,
            cal_api_base=provider.base,
        ) as (client, container):
            body, headers = acuity_notification("scheduled", 501)
            assert (await client.post("/webhooks/acuity", content=body, headers=headers)).status_code == 200
            payload = {
                "uid": "cal-9",
                "eventTypeId": 679,
                "startTime": "2026-03-12T08:00:00Z",
                "endTime": "2026-03-12T10:00:00Z",
                "attendees": [
                    {"name": NAME, "email": EMAIL, "timeZone": "Europe/Paris", "phoneNumber": PHONE}
                ],
            }
            body, headers = cal_webhook("BOOKING_CREATED", payload)
            assert (await client.post("/webhooks/calcom", content=body, headers=headers)).status_code == 200
            created = await client.post(
                "/v1/bookings",
                json={"offering_id": "cal-coaching", "customer": {"name": NAME, "email": EMAIL}},
            )
            booking_id, token = created.json()["booking_id"], created.json()["booking_token"]
            await client.post(f"/sandbox/checkout/{booking_id}", data={"outcome": "pay"})
            scheduled = await client.post(
                f"/v1/bookings/{booking_id}/schedule",
                json={"start": "2026-03-10T10:00:00+01:00"},
                headers={"authorization": f"Bearer {token}"},
            )
            assert scheduled.status_code == 200, scheduled.text
            await client.post(
                f"/v1/bookings/{booking_id}/cancel", headers={"authorization": f"Bearer {token}"}
            )
            await container.deliver_outbox()()
    service = [r for r in records if not r.name.startswith(CLIENT_LOGGERS + DRIVER_LOGGERS)]
    assert any(r.name == "bookhub.calcom" for r in service)  # not vacuous: the adapters did log
    assert _leaks(service, (*PERSONAL, "Rue Zacharie", *SECRETS)) == []
