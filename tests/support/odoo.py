"""A local Odoo stand-in: a real XML-RPC server on 127.0.0.1 with the few models bookhub touches.

`fail` makes a call `(model, method)` raise a fault the first N times, before it changes anything;
`slow` makes it do its work and then answer late, the first N times, like an Odoo that committed but
whose answer the caller stopped waiting for."""

from __future__ import annotations

import threading
import time
import xmlrpc.client
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

DB, LOGIN, PASSWORD, UID = "bookhub", "api@example.com", "odoo-key-0123", 7


class _Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _matches(record: dict[str, Any], domain: list[list[Any]]) -> bool:
    for name, op, value in domain:
        have = record.get(name)
        if op == "=" and have != value:
            return False
        if op == "=ilike" and str(have).lower() != str(value).lower():
            return False
        if op == "=like" and not str(have).startswith(str(value).rstrip("%")):
            return False
        if op == "in" and have not in value:
            return False
    return True


@dataclass
class FakeOdoo:
    url: str = ""
    models: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    fail: Counter[tuple[str, str]] = field(default_factory=Counter)
    slow: Counter[tuple[str, str]] = field(default_factory=Counter)
    delay: float = 1.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 100

    def records(self, model: str) -> list[dict[str, Any]]:
        return list(self.models.get(model, {}).values())

    def authenticate(self, db: str, login: str, password: str, _: dict[str, Any]) -> int | bool:
        self.calls["authenticate"] += 1
        return UID if (db, login, password) == (DB, LOGIN, PASSWORD) else False

    def execute_kw(
        self,
        db: str,
        uid: int,
        password: str,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        if (db, uid, password) != (DB, UID, PASSWORD):
            raise xmlrpc.client.Fault(3, "Access Denied")
        key = (model, method)
        with self.lock:
            self.calls[f"{model}.{method}"] += 1
            if self.fail[key] > 0:
                self.fail[key] -= 1
                raise xmlrpc.client.Fault(
                    1, "Traceback: psycopg2.errors.SerializationFailure for ada@example.com"
                )
            late = self.slow[key] > 0
            if late:
                self.slow[key] -= 1
            result = self._run(model, method, args, kwargs)
        if late:
            time.sleep(self.delay)
        return result

    def _run(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        table = self.models.setdefault(model, {})
        if method in ("search", "search_read"):
            found = [r for r in table.values() if _matches(r, args[0])][: kwargs.get("limit") or None]
            if method == "search":
                return [r["id"] for r in found]
            return [{"id": r["id"]} | {f: r.get(f, False) for f in kwargs.get("fields", r)} for r in found]
        if method == "create":
            self.next_id += 1
            record = {"id": self.next_id, **args[0], "context": kwargs.get("context")}
            if model == "account.move":
                lines = [line[2] for line in args[0].get("invoice_line_ids", [])]
                total = sum(line["quantity"] * line["price_unit"] for line in lines)
                record |= {"state": "draft", "payment_state": "not_paid", "amount_total": total}
            table[self.next_id] = record
            return self.next_id
        if method == "write":
            for record_id in args[0]:
                table[record_id].update(args[1])
            return True
        if method == "unlink":  # what an accountant deleting a document does
            for record_id in args[0]:
                table.pop(record_id, None)
            return True
        if method == "action_post":
            for move in args[0]:
                table[move]["state"] = "posted"
            return False
        if method == "action_create_payments":
            [wizard] = args[0]
            moves = self.models["account.move"]
            for move in self.models[model][wizard]["context"]["active_ids"]:
                moves[move]["payment_state"] = "paid"
                payments = self.models.setdefault("account.payment", {})
                self.next_id += 1
                payments[self.next_id] = {"id": self.next_id, "move": move}
            return True
        raise xmlrpc.client.Fault(2, f"unknown method {model}.{method}")


@contextmanager
def fake_odoo() -> Iterator[FakeOdoo]:
    odoo = FakeOdoo()
    odoo.models["res.currency"] = {1: {"id": 1, "name": "EUR"}, 2: {"id": 2, "name": "USD"}}
    server = _Server(("127.0.0.1", 0), requestHandler=_Handler, allow_none=True, logRequests=False)
    server.register_function(odoo.authenticate, "authenticate")
    server.register_function(odoo.execute_kw, "execute_kw")
    odoo.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield odoo
    finally:
        server.shutdown()
        server.server_close()
