"""Packages of sessions: schedule and cancel the sessions a package's payment bought (ADR 0018)."""
