"""Which integration delivers a topic, as /health and the outbox's sink records name it."""

from __future__ import annotations

from application.outbox_routes import integration_of


def test_topics_name_the_integration_that_delivers_them() -> None:
    assert [integration_of(t) for t in ("erp.booking_confirmed", "email.x", "sms.x", "odoo.x")] == [
        "erp",
        "resend",
        "twilio",
        "odoo",
    ]
