"""The driver dispatch app: trips out, status updates back, one signature both ways, its settings."""
