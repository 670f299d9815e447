"""Twilio: SMS; its settings."""
