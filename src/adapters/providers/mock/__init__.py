"""Stand-ins for integrations that are not configured (mock) or switched off (disabled)."""
