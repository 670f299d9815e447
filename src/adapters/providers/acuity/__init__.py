"""Acuity Scheduling: its API client, its webhook (verified, then the appointment fetched), its settings."""
