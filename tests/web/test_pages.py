"""The customer pages in-process: the booking path, manage links, CSRF, headers, languages."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.app import ADMIN_KEY, running_app
from tests.web.support import ADA, NOW, START, book, booking_id_of, details_form, hidden, text_of

AS_ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


async def _bookings(client: httpx.AsyncClient) -> list[dict[str, object]]:
    items: list[dict[str, object]] = (await client.get("/admin/bookings", headers=AS_ADMIN)).json()["items"]
    return items


async def test_the_catalog_links_each_offering_with_its_price_and_duration(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        page = await client.get("/")
    text = text_of(page.text)
    assert page.status_code == 200
    assert re.search(r'<a href="/book/van-transfer">Transfer in the one van</a>', page.text), page.text
    assert "€85.00 · 60 minutes" in text


async def test_a_day_lists_its_free_times_as_links_named_by_the_local_time(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        page = await client.get("/book/coaching", params={"date": "2026-06-02"})
    times = re.findall(r'<a href="/book/coaching/details\?start=[^"]+">(\d\d:\d\d)</a>', page.text)
    assert (times[0], times[-1]) == ("09:00", "16:00")  # Paris time, 24 h; the last hour ends at 17:00
    assert 'rel="prev" href="/book/coaching?date=2026-06-01"' in page.text
    assert 'rel="next" href="/book/coaching?date=2026-06-03"' in page.text


async def test_book_then_pay_in_the_sandbox_lands_on_the_confirmed_booking(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        booked = await book(client)
        assert booked.status_code == 303, booked.text
        checkout = booked.headers["location"]
        assert checkout.endswith(f"/sandbox/checkout/{booking_id_of(booked)}")
        paid = await client.post(checkout.replace("http://127.0.0.1:8000", ""), data={"outcome": "pay"})
        opened = await client.get(paid.headers["location"])
        page = await client.get(opened.headers["location"])
    assert (paid.status_code, opened.status_code, page.status_code) == (303, 303, 200)
    assert "Confirmed" in text_of(page.text)
    assert "Paid" in text_of(page.text)
    assert "Tuesday, 2 June 2026, 10:00 (Central European Summer Time)" in text_of(page.text)


async def test_a_free_booking_lands_on_its_page_at_once(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        booked = await book(client, "coaching", "2026-06-02T09:00:00+02:00")
        page = await client.get(booked.headers["location"])
    assert booked.headers["location"] == f"/bookings/{booking_id_of(booked)}"
    assert "Confirmed" in text_of(page.text)
    assert "Free" in text_of(page.text)


async def test_a_double_submit_books_once(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        html = await details_form(client)
        form = {name: hidden(html, name) for name in ("csrf_token", "key", "start", "lang")} | ADA
        first = await client.post("/book/van-transfer", data=form)
        second = await client.post("/book/van-transfer", data=form)
        bookings = await _bookings(client)
    assert first.headers["location"] == second.headers["location"]
    assert len(bookings) == 1


async def test_a_taken_time_answers_the_form_again_saying_so(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        html = await details_form(client)  # the form was opened while the time was free
        await book(client)  # someone else books the one van at that time
        form = {name: hidden(html, name) for name in ("csrf_token", "key", "start", "lang")}
        again = await client.post("/book/van-transfer", data=form | {"name": "Bob Marley", "email": "b@x.io"})
    assert again.status_code == 409
    assert "this time was just taken" in text_of(again.text)
    assert 'value="Bob Marley"' in again.text  # what was typed stays


async def test_wrong_fields_answer_the_form_with_each_field_marked(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        answer = await book(client, name="A", email="not an email")
        bookings = await _bookings(client)
    assert answer.status_code == 422
    assert bookings == []
    assert 'id="name" name="name"' in answer.text
    assert 'aria-invalid="true"' in answer.text


async def test_a_post_without_a_valid_csrf_token_is_403_and_books_nothing(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        html = await details_form(client)
        form = {name: hidden(html, name) for name in ("key", "start", "lang")} | ADA
        missing = await client.post("/book/van-transfer", data=form)
        wrong = await client.post("/book/van-transfer", data=form | {"csrf_token": "x" * 43})
        client.cookies.clear()  # a token from another browser
        foreign = await client.post(
            "/book/van-transfer", data=form | {"csrf_token": hidden(html, "csrf_token")}
        )
        bookings = await _bookings(client)
    assert [r.status_code for r in (missing, wrong, foreign)] == [403, 403, 403]
    assert "This form has expired" in missing.text
    assert bookings == []


async def test_a_manage_link_sets_the_cookie_and_leaves_the_address_bar(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        created = (
            await client.post(
                "/v1/bookings",
                json={"offering_id": "van-transfer", "start": START, "customer": ADA | {"locale": "de"}},
            )
        ).json()
        opaque = created["manage_url"].rsplit("/", 1)[1]
        assert created["manage_url"] == f"http://127.0.0.1:8000/manage/{opaque}"
        opened = await client.get(f"/manage/{opaque}")
        page = await client.get(opened.headers["location"])
        client.cookies.clear()
        without = await client.get(f"/bookings/{created['booking_id']}")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/bookings/{created['booking_id']}"
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert f"Path=/bookings/{created['booking_id']}" in cookie
    assert page.status_code == 200
    assert "Zahlung ausstehend" in text_of(page.text)
    assert without.status_code == 404
    assert "Seite nicht gefunden" not in without.text


async def test_a_tampered_or_unknown_link_is_a_404_page(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        created = (
            await client.post(
                "/v1/bookings", json={"offering_id": "van-transfer", "start": START, "customer": ADA}
            )
        ).json()
        opaque = created["manage_url"].rsplit("/", 1)[1]
        swapped = opaque[:10] + ("A" if opaque[10] != "A" else "B") + opaque[11:]
        answers = [
            await client.get(f"/manage/{text}") for text in (swapped, opaque[:-1], "nothing", opaque + "x")
        ]
    assert [a.status_code for a in answers] == [404] * 4
    assert all(
        a.headers["content-type"].startswith("text/html") and "Page not found" in a.text for a in answers
    )
    assert all("set-cookie" not in a.headers for a in answers)


async def test_a_cookie_opens_only_its_own_booking(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        mine = await book(client)
        other = await book(client, start="2026-06-02T14:00:00+02:00")
        value = client.cookies.get("bookhub_booking", path=f"/bookings/{booking_id_of(mine)}")
        client.cookies.clear()
        client.cookies.set("bookhub_booking", value or "", path=f"/bookings/{booking_id_of(other)}")
        page = await client.get(f"/bookings/{booking_id_of(other)}")
    assert page.status_code == 404


async def test_pages_carry_csp_without_inline_script_no_referrer_and_no_store(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        pages = [await client.get(path) for path in ("/", "/book/van-transfer", "/book/nothing")]
        pages.append(await client.get("/book/van-transfer/details", params={"start": START}))
        css = await client.get("/static/style.css")
    for page in pages:
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "style-src 'self'" in csp
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        assert "<script" not in page.text
        assert "style=" not in page.text
    assert [p.status_code for p in pages] == [200, 200, 404, 200]
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"params": {"lang": "fr"}}, "85,00 €"),
        ({"headers": {"accept-language": "es-ES,es;q=0.9,en;q=0.5"}}, "85,00 €"),
        ({"headers": {"accept-language": "pt"}}, "85,00 €"),
        ({"params": {"lang": "de"}, "headers": {"accept-language": "fr"}}, "85,00 €"),
    ],
)
async def test_languages_are_chosen_by_query_then_accept_language(
    sqlite_url: str, how: dict[str, dict[str, str]], expected: str
) -> None:
    async with running_app(sqlite_url, clock=NOW) as (client, _):
        page = await client.get("/", **how)  # type: ignore[arg-type]
    lang = how.get("params", {}).get("lang") or how["headers"]["accept-language"][:2]
    assert f'<html lang="{lang}">' in page.text
    assert expected in text_of(page.text).replace("\u202f", " ").replace("\xa0", " ")
    words = {
        "fr": "Que souhaitez-vous réserver",
        "es": "Qué desea reservar",
        "pt": "O que deseja reservar",
        "de": "Was möchten Sie buchen",
    }
    assert words[lang] in page.text


async def test_the_default_language_is_the_configured_one(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, default_language="de") as (client, _):
        page = await client.get("/", headers={"accept-language": "ja"})
    assert '<html lang="de">' in page.text


async def test_an_https_public_url_makes_the_cookies_secure(sqlite_url: str) -> None:
    async with running_app(sqlite_url, clock=NOW, public_url="https://book.example.com") as (client, _):
        form = await client.get("/book/van-transfer/details", params={"start": START})
        body = {"offering_id": "van-transfer", "start": START, "customer": ADA}
        created = (await client.post("/v1/bookings", json=body)).json()
        opened = await client.get("/manage/" + created["manage_url"].rsplit("/", 1)[1])
    assert created["manage_url"].startswith("https://book.example.com/manage/")
    assert "Secure" in form.headers["set-cookie"]
    assert "Secure" in opened.headers["set-cookie"]
