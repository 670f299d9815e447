"""Odoo's XML-RPC (`/xmlrpc/2/common`, `/xmlrpc/2/object`), spoken over httpx."""

from __future__ import annotations

import asyncio
import logging
import xmlrpc.client
from typing import Any

import httpx

from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable

log = logging.getLogger("bookhub.odoo")

TIMEOUT_SECONDS = 10.0
# faultCode on /xmlrpc/2: 1 an application error (often transient), 2 a business refusal (UserError,
# ValidationError), 3 access denied (login or API key), 4 access error (permissions).
_PERMANENT_FAULTS = frozenset({2, 3, 4})


class OdooXmlRpc:
    """One Odoo database as one user: authenticates once and keeps the uid."""

    def __init__(self, http: HttpClient, *, url: str, db: str, username: str, password: str) -> None:
        self._http, self._url = http, url.rstrip("/")
        self._db, self._username, self._password = db, username, password
        self._uid: int | None = None
        self._login = asyncio.Lock()

    async def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        uid = await self._authenticated()
        return await self._call(
            "object", "execute_kw", self._db, uid, self._password, model, method, list(args), kwargs
        )

    async def _authenticated(self) -> int:
        async with self._login:
            if self._uid is None:
                uid = await self._call("common", "authenticate", self._db, self._username, self._password, {})
                if not isinstance(uid, int) or isinstance(uid, bool):  # False: wrong login or key
                    raise ProviderRejected("odoo refused the login (ODOO_USERNAME / ODOO_PASSWORD)")
                self._uid = uid
            return self._uid

    async def _call(self, service: str, method: str, *params: Any) -> Any:
        body = xmlrpc.client.dumps(params, method, allow_none=True).encode()
        what = f"odoo {method}" if method != "execute_kw" else f"odoo {params[3]}.{params[4]}"
        try:
            response = await self._http.post(
                f"{self._url}/xmlrpc/2/{service}",
                content=body,
                headers={"content-type": "text/xml"},
                timeout=TIMEOUT_SECONDS,
            )
        except httpx.TimeoutException as exc:
            log.warning("%s: timed out", what)
            raise ProviderUnavailable(f"{what} timed out") from exc
        except httpx.HTTPError as exc:
            log.warning("%s: %s", what, type(exc).__name__)
            raise ProviderUnavailable(f"{what}: unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            error = f"{what}: HTTP {response.status_code}"
            if response.status_code >= 500 or response.status_code in (408, 429):
                raise ProviderUnavailable(error)
            raise ProviderRejected(error)
        try:
            (result,), _ = xmlrpc.client.loads(response.content, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:  # its faultString is a traceback that may quote values
            error = f"{what}: fault {fault.faultCode}"
            log.warning("%s", error)
            if fault.faultCode in _PERMANENT_FAULTS:
                raise ProviderRejected(error) from None
            raise ProviderUnavailable(error) from None
        except (xmlrpc.client.ResponseError, ValueError) as exc:
            raise ProviderUnavailable(f"{what}: not an XML-RPC answer") from exc
        return result
