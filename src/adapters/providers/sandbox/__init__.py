"""Sandbox payments: a local checkout page instead of a provider, for development and demos."""
