"""The outbox and ERP settings: defaults, parsing, and a start that stops on a bad value."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entrypoints.settings import Settings, SettingsError


def test_the_defaults_follow_the_contract() -> None:
    settings = Settings.from_env({})
    policy = settings.retry_policy
    assert (policy.base, policy.cap, policy.max_attempts) == (timedelta(seconds=2), timedelta(hours=1), 8)
    assert policy.attempts_for("odoo.invoice_booking") == 3
    assert settings.claim_lease == timedelta(seconds=60)
    assert (settings.erp.mode, settings.integrations["erp"], settings.integrations["stripe"]) == (
        "mock",
        "mock",
        "mock",
    )


def test_the_outbox_variables_are_read() -> None:
    settings = Settings.from_env(
        {
            "BOOKHUB_RETRY_BASE_SECONDS": "0.5",
            "BOOKHUB_RETRY_MAX_SECONDS": "30",
            "BOOKHUB_MAX_ATTEMPTS": "5",
            "BOOKHUB_MAX_ATTEMPTS_ODOO": "2",
            "BOOKHUB_CLAIM_LEASE_SECONDS": "15",
            "BOOKHUB_OUTBOX_BATCH": "20",
            "BOOKHUB_OUTBOX_CONCURRENCY": "4",
            "BOOKHUB_OUTBOX_RETENTION_DAYS": "1.5",
        }
    )
    policy = settings.retry_policy
    assert (policy.base, policy.cap, policy.max_attempts) == (
        timedelta(seconds=0.5),
        timedelta(seconds=30),
        5,
    )
    assert policy.attempts_for("odoo.x") == 2
    assert (settings.claim_lease, settings.outbox_batch, settings.outbox_concurrency) == (
        timedelta(seconds=15),
        20,
        4,
    )
    assert settings.outbox_retention_days == 1.5


def test_the_erp_is_connected_with_a_url_and_a_secret_and_can_be_switched_off() -> None:
    erp = {"ERP_INGEST_URL": "https://erp.example.test/ingest", "BOOKING_INGEST_SECRET": "s3cret"}
    assert Settings.from_env(erp).erp.mode == "connected"
    assert Settings.from_env(erp | {"ERP_INGEST_ENABLED": "false"}).erp.mode == "disabled"
    assert Settings.from_env(erp | {"ERP_INGEST_ENABLED": "0"}).erp.ingest_secret == "s3cret"
    assert Settings.from_env({"ERP_INGEST_ENABLED": "false"}).integrations["erp"] == "disabled"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ERP_INGEST_ENABLED": "maybe"}, "ERP_INGEST_ENABLED"),
        ({"ERP_INGEST_URL": "https://erp.example.test/ingest"}, "BOOKING_INGEST_SECRET"),
        ({"ERP_INGEST_URL": "erp.example.test", "BOOKING_INGEST_SECRET": "s"}, "ERP_INGEST_URL"),
        ({"BOOKHUB_MAX_ATTEMPTS": "0"}, "BOOKHUB_MAX_ATTEMPTS"),
        ({"BOOKHUB_MAX_ATTEMPTS": "three"}, "BOOKHUB_MAX_ATTEMPTS"),
        ({"BOOKHUB_CLAIM_LEASE_SECONDS": "-1"}, "BOOKHUB_CLAIM_LEASE_SECONDS"),
        ({"BOOKHUB_RETRY_BASE_SECONDS": "10", "BOOKHUB_RETRY_MAX_SECONDS": "5"}, "BOOKHUB_RETRY_MAX_SECONDS"),
    ],
)
def test_a_bad_value_names_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_resend_is_connected_with_a_key_and_a_sender() -> None:
    resend = {"RESEND_API_KEY": "re_123", "RESEND_FROM": "Bookings <b@x.test>"}
    settings = Settings.from_env(resend | {"RESEND_API_BASE": "http://127.0.0.1:9000"})
    assert (settings.resend.mode, settings.integrations["resend"]) == ("connected", "connected")
    assert settings.resend.api_base == "http://127.0.0.1:9000"
    assert Settings.from_env({}).resend.api_base == "https://api.resend.com"
    with pytest.raises(SettingsError, match="RESEND_FROM"):
        Settings.from_env({"RESEND_API_KEY": "re_123"})
    with pytest.raises(SettingsError, match="RESEND_API_BASE"):
        Settings.from_env(resend | {"RESEND_API_BASE": "127.0.0.1:9000"})


def test_twilio_is_connected_with_an_account_a_token_and_a_sender() -> None:
    twilio = {"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tok", "TWILIO_FROM": "+15005550006"}
    settings = Settings.from_env(twilio | {"TWILIO_API_BASE": "http://127.0.0.1:9000"})
    assert (settings.twilio.mode, settings.integrations["twilio"]) == ("connected", "connected")
    assert settings.twilio.api_base == "http://127.0.0.1:9000"
    assert Settings.from_env({}).integrations["twilio"] == "mock"
    with pytest.raises(SettingsError, match=r"^TWILIO_FROM"):
        Settings.from_env({"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tok"})
    with pytest.raises(SettingsError, match=r"^TWILIO_AUTH_TOKEN"):
        Settings.from_env({"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_FROM": "+15005550006"})
    with pytest.raises(SettingsError, match=r"^TWILIO_API_BASE"):
        Settings.from_env(twilio | {"TWILIO_API_BASE": "api.twilio.com"})


def test_odoo_is_connected_with_its_four_variables_and_mock_otherwise() -> None:
    odoo = {"ODOO_URL": "http://127.0.0.1:8069", "ODOO_DB": "db", "ODOO_USERNAME": "u", "ODOO_PASSWORD": "p"}
    assert Settings.from_env(odoo).integrations["odoo"] == "connected"
    assert Settings.from_env({}).integrations["odoo"] == "mock"
    assert str(Settings.from_env({}).odoo.mock_log) == "logs/odoo-mock.jsonl"
    with pytest.raises(SettingsError, match=r"^ODOO_PASSWORD"):
        Settings.from_env({k: v for k, v in odoo.items() if k != "ODOO_PASSWORD"})


def test_the_driver_app_is_connected_with_a_url_and_a_secret() -> None:
    app = {"DRIVER_APP_WEBHOOK_URL": "http://127.0.0.1:9000/trips", "DRIVER_APP_SECRET": "s"}
    assert Settings.from_env(app).integrations["driver_app"] == "connected"
    with pytest.raises(SettingsError, match=r"^DRIVER_APP_SECRET"):
        Settings.from_env({"DRIVER_APP_WEBHOOK_URL": "http://127.0.0.1:9000/trips"})


def test_acuity_and_calcom_are_connected_with_their_credentials() -> None:
    settings = Settings.from_env(
        {
            "ACUITY_USER_ID": "12345",
            "ACUITY_API_KEY": "k",
            "ACUITY_API_BASE": "http://127.0.0.1:9000",
            "CAL_API_KEY": "cal_test_1",
            "CAL_WEBHOOK_SECRET": "s",
            "CAL_API_BASE": "http://127.0.0.1:9001",
        }
    )
    assert (settings.integrations["acuity"], settings.integrations["calcom"]) == ("connected", "connected")
    assert (settings.acuity.api_base, settings.calcom.api_base, settings.calcom.api_version) == (
        "http://127.0.0.1:9000",
        "http://127.0.0.1:9001",
        "2024-08-13",
    )
    defaults = Settings.from_env({})
    assert (defaults.integrations["acuity"], defaults.integrations["calcom"]) == ("mock", "mock")
    assert (defaults.acuity.api_base, defaults.calcom.api_base) == (
        "https://acuityscheduling.com",
        "https://api.cal.com",
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ACUITY_USER_ID": "12345"}, "ACUITY_USER_ID"),
        ({"ACUITY_API_BASE": "acuityscheduling.com"}, "ACUITY_API_BASE"),
        ({"CAL_API_BASE": "ftp://cal"}, "CAL_API_BASE"),
    ],
)
def test_a_bad_scheduling_setting_names_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_every_configured_payment_provider_is_live_stripe_first_and_the_sandbox_only_without_any() -> None:
    both = {"STRIPE_SECRET_KEY": "sk_test", "AIRWALLEX_CLIENT_ID": "cid", "AIRWALLEX_API_KEY": "key"}
    settings = Settings.from_env(both)
    modes = settings.integrations
    assert settings.payment_providers == ("stripe", "airwallex")
    assert (settings.payment_mode, modes["stripe"], modes["airwallex"]) == (
        "stripe",
        "connected",
        "connected",
    )
    airwallex = {k: v for k, v in both.items() if k != "STRIPE_SECRET_KEY"}
    assert Settings.from_env(airwallex).payment_providers == ("airwallex",)
    assert Settings.from_env({}).payment_providers == ("sandbox",)
    assert Settings.from_env({}).integrations["stripe"] == "mock"


def test_each_provider_reads_its_own_variables_into_its_own_settings() -> None:
    settings = Settings.from_env(
        {
            "STRIPE_WEBHOOK_SECRET": "whsec_s",
            "STRIPE_RETURN_URL": "https://shop.example/booked",
            "AIRWALLEX_WEBHOOK_SECRET": "whsec_a",
            "CAL_WEBHOOK_SECRET": "cal",
            "DRIVER_APP_SECRET": "driver",
            "BOOKHUB_ODOO_MOCK_LOG": "logs/elsewhere.jsonl",
        }
    )
    assert (settings.stripe.webhook_secret, settings.airwallex.webhook_secret) == ("whsec_s", "whsec_a")
    assert (settings.calcom.webhook_secret, settings.driver_app.secret) == ("cal", "driver")
    assert (settings.return_url, str(settings.odoo.mock_log)) == (
        "https://shop.example/booked",
        "logs/elsewhere.jsonl",
    )
    with pytest.raises(SettingsError, match=r"^STRIPE_RETURN_URL"):
        Settings.from_env({"STRIPE_RETURN_URL": "shop.example"})


def test_the_retention_is_three_years_unless_set_and_must_be_more_than_zero() -> None:
    assert Settings.from_env({}).retention_days == 1095
    assert Settings.from_env({"BOOKHUB_RETENTION_DAYS": "0.01"}).retention_days == 0.01
    for bad in ("0", "-3"):
        with pytest.raises(SettingsError, match="BOOKHUB_RETENTION_DAYS"):
            Settings.from_env({"BOOKHUB_RETENTION_DAYS": bad})
