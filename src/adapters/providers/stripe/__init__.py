"""Stripe: payments, extension charges, refunds, webhooks and the events list."""
