"""Resend: email; its settings."""
