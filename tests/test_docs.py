"""The reference pages in docs/ name what the code has: every environment variable, route and error code,
and nothing the code does not have."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
DOCS = ROOT / "docs"

# The prefixes the environment is read under: the hub's own, then each integration's. A new integration
# adds its prefix here.
PREFIXES = (
    "BOOKHUB",
    "ERP",
    "BOOKING_INGEST",
    "STRIPE",
    "AIRWALLEX",
    "ACUITY",
    "CAL",
    "ODOO",
    "RESEND",
    "TWILIO",
    "DRIVER_APP",
)
VARIABLE = r"(?:" + "|".join(PREFIXES) + r")_[A-Z0-9_]*[A-Z0-9]"
# In the source a variable is a string literal, or the start of one (`"ODOO_URL: must be set"`):
# identifiers such as `CAL_BOOKING_UID` are not variables.
QUOTED_VARIABLE = re.compile(r"[\"'](" + VARIABLE + r")\b")
NAMED_VARIABLE = re.compile(r"\b(" + VARIABLE + r")\b")

CLASS_CODE = re.compile(r"^\s+code(?:\s*:\s*ClassVar\[str\])?\s*=\s*\"([a-z][a-z_]*)\"", re.MULTILINE)
PROBLEM_CODE = re.compile(r"\bproblem\(\s*\w+\s*,\s*\"([a-z][a-z_]*)\"")
TABLE_ROW = re.compile(r"^\|\s*(\d{3})\s*\|\s*`([a-z_]+)`\s*\|", re.MULTILINE)
ROUTE_HEADING = re.compile(r"^#{2,4} `(GET|POST|PUT|PATCH|DELETE) (/\S*)`$", re.MULTILINE)


def _source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(SRC.rglob("*.py")))


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_configuration_names_every_variable_the_code_reads_and_no_other() -> None:
    read = set(QUOTED_VARIABLE.findall(_source()))
    documented = set(NAMED_VARIABLE.findall(_page("configuration.md")))

    assert {"BOOKHUB_DATABASE_URL", "STRIPE_SECRET_KEY"} <= read  # the pattern still finds variables
    assert sorted(read - documented) == [], "read in src/ but missing from docs/configuration.md"
    assert sorted(documented - read) == [], "named in docs/configuration.md but read nowhere in src/"


def _error_codes() -> dict[str, set[int]]:
    """Each code the source defines, with the statuses its error tables give it (maybe none)."""
    from entrypoints.http.errors import CODE_OF_STATUS, STATUS_OF_CODE

    source = _source()
    codes: dict[str, set[int]] = {code: set() for code in CLASS_CODE.findall(source)}
    codes.update({code: set() for code in PROBLEM_CODE.findall(source)})
    for code, status in STATUS_OF_CODE.items():
        codes.setdefault(code, set()).add(status)
    for status, code in CODE_OF_STATUS.items():
        codes.setdefault(code, set()).add(status)
    return codes


def test_the_api_page_lists_every_error_code_with_its_status() -> None:
    page = _page("api.md")
    documented = {(code, int(status)) for status, code in TABLE_ROW.findall(page)}
    codes = _error_codes()

    missing = sorted(code for code in codes if f"`{code}`" not in page)
    wrong_status = sorted(
        (code, status)
        for code, statuses in codes.items()
        for status in statuses
        if (code, status) not in documented
    )
    assert missing == [], "defined in src/ but missing from docs/api.md"
    assert wrong_status == [], "the error table of docs/api.md gives another status"


def test_the_api_page_lists_no_error_code_the_source_does_not_have() -> None:
    source = _source()
    documented = {code for _, code in TABLE_ROW.findall(_page("api.md"))}

    assert sorted(code for code in documented if f'"{code}"' not in source) == []


def _routes() -> set[tuple[str, str]]:
    from entrypoints.container import build_container
    from entrypoints.http.app import create_app
    from entrypoints.settings import Settings

    app = create_app(build_container(Settings()))  # the sandbox's routes too; nothing connects
    routes = set()
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        routes |= {
            (method, path) for method in getattr(route, "methods", ()) if method not in {"OPTIONS", "HEAD"}
        }
    return routes


def test_the_api_page_has_a_section_for_every_route_and_for_no_other() -> None:
    documented = set(ROUTE_HEADING.findall(_page("api.md")))
    routes = _routes()

    assert sorted(routes - documented) == [], "served but missing from docs/api.md"
    assert sorted(documented - routes) == [], "in docs/api.md but not served"
