"""The OpenAPI document holds: schemathesis, with all its checks, finds nothing against the whole app.

The same phases as `schemathesis run --checks all` (examples, coverage, fuzzing, stateful), in-process
against a fresh app on a temporary SQLite database, bounded and derandomized so a failure replays.
"""

from __future__ import annotations

import asyncio
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.core import NOT_SET
from schemathesis.engine import events
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema

from adapters.memory.clock import FixedClock
from adapters.persistence.migrate import migrate
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.support.app import ADMIN_KEY, CATALOG, settings_of

CONFIG = Path(__file__).parents[2] / "schemathesis.toml"
NOW = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
# Bounded and repeatable: some 20 generated requests per operation and phase, a short stateful run, a
# fixed seed, and nothing learned from earlier runs (no example database, no cache).
BOUNDS = {
    "seed": 20260601,
    "generation": {"max-examples": 20, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"max-steps": 20}},
    "cache": {"enabled": False},
}


def _config() -> SchemathesisConfig:
    data = tomllib.loads(CONFIG.read_text())
    for key, value in BOUNDS.items():
        data[key] = data.get(key, {}) | value if isinstance(value, dict) else value
    config = SchemathesisConfig.from_dict(data)
    config.projects.override.checks.update(included_check_names=["all"])
    return config


async def _migrated(settings: Settings) -> Container:
    container = build_container(settings)
    container.clock.override(NOW)
    await migrate(container.database().engine)
    await container.database().dispose()  # the app opens its own connections on its own event loop
    return container


@pytest.mark.slow
def test_schemathesis_finds_nothing_with_all_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKHUB_ADMIN_API_KEY", ADMIN_KEY)
    settings = settings_of(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}",
        catalog_path=CATALOG,
        admin_api_key=ADMIN_KEY,
        odoo_mock_log=tmp_path / "odoo-mock.jsonl",
    )
    app = create_app(asyncio.run(_migrated(settings)))
    run = _run(schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=_config()))
    print(f"schemathesis: {run.cases} cases, {len(run.failures)} unique failures")
    assert not run.errors, run.errors
    assert not run.failures, "\n".join(f"{key}: {example}" for key, example in run.failures.items())
    assert run.cases > 500, run.cases


@dataclass
class Run:
    cases: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # an example of each check, operation and status
    errors: list[str] = field(default_factory=list)


def _run(schema: BaseSchema) -> Run:
    run = Run()
    try:
        for event in engine.from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
                _record(run, event.recorder)
            elif isinstance(event, events.NonFatalError | events.FatalError):
                run.errors.append(str(event))
            elif isinstance(event, events.SchemaAnalysisWarnings):  # e.g. a $ref to a missing component
                run.errors.extend(f"{w.operation_label}: {w.message}" for w in event.warnings)
    finally:
        asgi.shutdown_lifespans()  # closes the app: its database, its HTTP client
    return run


def _record(run: Run, recorder: ScenarioRecorder) -> None:
    run.cases += len(recorder.cases)
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            case = recorder.cases[case_id].value
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            status = None if response is None else response.status_code
            key = f"{check.name} on {case.operation.label} -> {status}"
            if key not in run.failures:
                answer = "" if response is None else f"{response.content[:300]!r}"
                body = "" if case.body is NOT_SET else f"{case.body!r:.300}"
                run.failures[key] = (
                    f"{case.method} {case.formatted_path} {case.query or ''} {body}\n  {answer}"
                )
