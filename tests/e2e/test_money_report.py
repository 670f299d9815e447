"""`bookhub money report` as a real process, after Stripe and Airwallex took money side by side, a
booking got an extension and a partial refund, and the worker fed the fake Odoo: every row agrees (exit
0); once Odoo loses an invoice, that booking is a mismatch (exit 1)."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

from adapters.memory.clock import FixedClock
from tests.e2e.test_process import BOOKHUB, _env
from tests.http.test_extensions import NOW, START, approve, charges, propose
from tests.http.test_odoo_complete import drain
from tests.http.test_payment_ledger import refund
from tests.http.test_stripe_webhooks import post
from tests.support.app import CATALOG, running_app
from tests.support.fake_airwallex import airwallex_settings, fake_airwallex, signed_headers, webhook
from tests.support.fake_stripe import SECRET, event, fake_stripe
from tests.support.odoo import DB, LOGIN, PASSWORD, fake_odoo


def _succeeded(pi: str, cents: int, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "id": pi,
        "object": "payment_intent",
        "amount": cents,
        "amount_received": cents,
        "currency": "eur",
        "metadata": metadata,
        "status": "succeeded",
        "payment_method": "pm_card_1",
    }


async def _report(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [BOOKHUB, "money", "report", "--format", "json"]
    return await asyncio.to_thread(
        subprocess.run, command, env=_env(tmp_path, **env), capture_output=True, text=True, timeout=60
    )


async def test_the_money_report_agrees_after_the_flows_and_names_the_booking_whose_invoice_odoo_lost(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"
    clock = FixedClock(NOW)
    with fake_stripe() as stripe, fake_airwallex() as airwallex, fake_odoo() as odoo:
        odoo_settings = {
            "odoo_url": odoo.url,
            "odoo_db": DB,
            "odoo_username": LOGIN,
            "odoo_password": PASSWORD,
        }
        stripe_settings = {
            "stripe_secret_key": "sk_test_fake",
            "stripe_webhook_secret": SECRET,
            "stripe_api_base": stripe.base,
        }
        settings = {**stripe_settings, **airwallex_settings(airwallex), **odoo_settings}
        async with running_app(url, clock=clock, **settings) as (client, container):
            customer = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+33600000000"}
            body = {"offering_id": "van-transfer", "start": START.isoformat(), "customer": customer}
            at_stripe = (await client.post("/v1/bookings", json=body)).json()
            paid = _succeeded("pi_1", 8500, {"booking_id": at_stripe["booking_id"]})
            await post(client, event("payment_intent.succeeded", paid, event_id="evt_1"))
            extension = (await propose(client, at_stripe["booking_id"])).json()["extension_id"]
            await approve(client, at_stripe["booking_id"], extension, at_stripe["booking_token"])
            await post(client, event("refund.created", refund("re_1", 2000), event_id="evt_r1"))
            later = {**body, "start": START.replace(hour=12).isoformat(), "payment_provider": "airwallex"}
            at_airwallex = (await client.post("/v1/bookings", json=later)).json()
            [link] = airwallex.links.values()
            intent = airwallex.pay_link(link["id"])
            raw = webhook("payment_intent.succeeded", intent, event_id="evt_a1")
            await client.post("/webhooks/airwallex", content=raw, headers=signed_headers(raw))
            await drain(container, clock)
        [charge] = charges(stripe)
        metadata = {"booking_id": at_stripe["booking_id"], "extension_id": extension}
        stripe.listed["payment_intent"] = [paid, _succeeded(charge["id"], 12000, metadata)]
        stripe.listed["refund"] = [refund("re_1", 2000)]
        env = {
            "BOOKHUB_DATABASE_URL": url,
            "BOOKHUB_CATALOG": str(CATALOG),
            "STRIPE_SECRET_KEY": "sk_test_fake",
            "STRIPE_API_BASE": stripe.base,
            "AIRWALLEX_CLIENT_ID": settings["airwallex_client_id"],
            "AIRWALLEX_API_KEY": settings["airwallex_api_key"],
            "AIRWALLEX_API_BASE": airwallex.base,
            "ODOO_URL": odoo.url,
            "ODOO_DB": DB,
            "ODOO_USERNAME": LOGIN,
            "ODOO_PASSWORD": PASSWORD,
        }
        agreed = await _report(tmp_path, env)
        [lost] = [m for m in odoo.records("account.move") if m["ref"] == at_airwallex["booking_id"]]
        del odoo.models["account.move"][lost["id"]]
        disagreed = await _report(tmp_path, env)
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    report = json.loads(agreed.stdout)
    rows = {(r["booking_id"], r["extension_id"]): r for r in report["items"]}
    assert report["mismatches"] == 0
    assert {k: v for k, v in rows[(at_stripe["booking_id"], None)].items() if k.endswith("_cents")} == {
        "provider_charged_cents": 8500,
        "provider_refunded_cents": 2000,
        "ledger_charged_cents": 8500,
        "ledger_refunded_cents": 2000,
        "invoiced_cents": 8500,
        "credited_cents": 2000,
    }
    assert rows[(at_stripe["booking_id"], extension)]["invoiced_cents"] == 12000
    assert rows[(at_airwallex["booking_id"], None)]["provider_charged_cents"] == 8500
    assert {r["status"] for r in report["items"]} == {"ok"}
    assert set(report["items"][0]) == {
        "booking_id",
        "extension_id",
        "currency",
        "provider_charged_cents",
        "provider_refunded_cents",
        "ledger_charged_cents",
        "ledger_refunded_cents",
        "invoiced_cents",
        "credited_cents",
        "status",
        "note",
    }
    assert disagreed.returncode == 1, disagreed.stdout + disagreed.stderr
    after = json.loads(disagreed.stdout)
    [mismatch] = [r for r in after["items"] if r["status"] == "mismatch"]
    assert after["mismatches"] == 1
    assert mismatch["booking_id"] == at_airwallex["booking_id"]
    assert mismatch["note"] == "accounting has no invoice of 8500 cents"
