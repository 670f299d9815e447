"""Airwallex: payments, refunds and webhooks."""
