"""The ERP ingest endpoint: one POST per paid booking; its settings."""
