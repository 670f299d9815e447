"""Odoo: accounting over XML-RPC, or a local file without credentials; its settings."""
