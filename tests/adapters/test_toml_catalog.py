"""The catalog is validated at start, and its errors name the file, the offering and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.catalog.toml_catalog import EXAMPLE, load_catalog
from domain.errors import InvalidCatalog

GOOD = """
[[resources]]
id = "van-1"
type = "vehicle"
name = "Van"

[[offerings]]
id = "transfer"
name = "Transfer"
kind = "transfer"
duration_minutes = 60
amount_cents = 8500
resource_type = "vehicle"
opening_hours = { mon = ["08:00-12:00", "14:00-18:00"] }
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(InvalidCatalog) as raised:
        load_catalog(_write(tmp_path, text))
    return raised.value.detail


def test_the_bundled_example_has_every_kind_of_offering_the_readme_promises() -> None:
    catalog = load_catalog(EXAMPLE)
    offerings = catalog.offerings
    assert offerings["discovery-session"].price.is_free
    assert {"coaching-single", "coaching-monthly", "coaching-quarterly"} <= set(offerings)
    assert {offerings[o].resource_type for o in ("airport-transfer", "chauffeur-hourly", "city-tour")} == {
        "vehicle"
    }
    assert offerings["car-service-pickup"].dispatch
    confirmed = offerings["airport-transfer"].notification_templates["booking_confirmed"]["email"]
    assert set(confirmed) == {"en", "fr", "es", "pt", "de"}


def test_a_good_catalog_loads_with_its_opening_hours(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, GOOD))
    transfer = catalog.offerings["transfer"]
    assert [(r.start_minute, r.end_minute) for r in transfer.opening_hours["mon"]] == [
        (480, 720),
        (840, 1080),
    ]
    assert transfer.opening_hours["tue"] == ()


def test_a_wrong_type_names_the_file_the_offering_and_the_key(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("duration_minutes = 60", 'duration_minutes = "an hour"'))
    assert str(tmp_path / "catalog.toml") in message
    assert "offering 'transfer'" in message
    assert "'duration_minutes'" in message


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('kind = "transfer"', 'kind = "flight"'), "'kind'"),
        (
            (
                'opening_hours = { mon = ["08:00-12:00", "14:00-18:00"] }',
                'opening_hours = { mon = ["12:00-08:00"] }',
            ),
            "'opening_hours.mon'",
        ),
        (
            (
                'opening_hours = { mon = ["08:00-12:00", "14:00-18:00"] }',
                'opening_hours = { mon = ["8h-12h"] }',
            ),
            "'opening_hours.mon'",
        ),
        (('resource_type = "vehicle"', 'resource_type = "boat"'), "'resource_type'"),
        (("amount_cents = 8500", "amount_cents = -1"), "'amount_cents'"),
        (("amount_cents = 8500", 'amount_cents = 8500\ntimezone = "Mars/Olympus"'), "'timezone'"),
        (("amount_cents = 8500", "amount_cents = 8500\ncapacity = 4"), "'capacity'"),
        (("amount_cents = 8500", 'amount_cents = 8500\ncolour = "red"'), "colour"),
        (("duration_minutes = 60", "duration_minutes = 3000"), "'duration_minutes'"),
        (
            ("amount_cents = 8500", "amount_cents = 8500\nfree_cancellation_hours = -1"),
            "'free_cancellation_hours'",
        ),
        (
            ("amount_cents = 8500", "amount_cents = 8500\nlate_cancellation_refund_percent = 101"),
            "'late_cancellation_refund_percent'",
        ),
        (("amount_cents = 8500", "amount_cents = 8500\nreminder_hours = [24, 0]"), "'reminder_hours"),
        (("amount_cents = 8500", "amount_cents = 8500\nreminder_hours = [24, 24]"), "'reminder_hours'"),
        (("amount_cents = 8500", 'amount_cents = 8500\nreminder_hours = "24"'), "'reminder_hours'"),
    ],
)
def test_each_invalid_key_is_named(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    message = _error(tmp_path, GOOD.replace(*change))
    assert "offering 'transfer'" in message
    assert key in message


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[offerings.notification_templates.booking_confirmed.sms.en]\nbody = "Hi {customer.__class__}"\n'
    )
    assert "placeholder" in _error(tmp_path, text)


def test_an_email_template_needs_a_subject(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[offerings.notification_templates.booking_confirmed.email.en]\nbody = "Hi {customer_name}"\n'
    )
    assert "subject" in _error(tmp_path, text)


def test_two_offerings_with_one_id_are_refused(tmp_path: Path) -> None:
    offering = GOOD.split("[[offerings]]")[1]
    assert "appears twice" in _error(tmp_path, GOOD + "\n[[offerings]]" + offering)


def test_a_missing_file_and_broken_toml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(InvalidCatalog, match="cannot be read"):
        load_catalog(tmp_path / "nope.toml")
    assert "not valid TOML" in _error(tmp_path, "[[offerings]\n")


def test_the_cancellation_policy_and_reminders_load_and_default_to_free_until_the_start(
    tmp_path: Path,
) -> None:
    keys = "free_cancellation_hours = 24\nlate_cancellation_refund_percent = 50\nreminder_hours = [2, 24]\n"
    with_policy = load_catalog(_write(tmp_path, GOOD + keys)).offerings["transfer"]
    plain = load_catalog(_write(tmp_path, GOOD)).offerings["transfer"]

    assert (with_policy.cancellation.free_hours, with_policy.cancellation.late_refund_percent) == (24, 50)
    assert with_policy.reminder_hours == (24, 2)
    assert (plain.cancellation.free_hours, plain.cancellation.late_refund_percent) == (None, 0)
    assert plain.reminder_hours == ()


def test_catalog_templates_serve_every_offering_unless_it_has_its_own(tmp_path: Path) -> None:
    own = '\n[offerings.notification_templates.reminder.sms.en]\nbody = "Own {start_local}"\n'
    shared = (
        '[notification_templates.reminder.sms.en]\nbody = "Shared {start_local}"\n'
        '[notification_templates.reminder.sms.fr]\nbody = "Partagé {start_local}"\n'
    )
    offering = load_catalog(_write(tmp_path, shared + GOOD + own)).offerings["transfer"]

    by_locale = offering.notification_templates["reminder"]["sms"]
    assert (by_locale["en"].body, by_locale["fr"].body) == ("Own {start_local}", "Partagé {start_local}")


def test_a_shared_template_is_checked_like_an_offerings(tmp_path: Path) -> None:
    shared = '[notification_templates.reminder.sms.en]\nbody = "Hi {nope}"\n'
    message = _error(tmp_path, shared + GOOD)
    assert "notification_templates.reminder" in message
    assert "placeholder" in message
