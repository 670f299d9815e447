"""Cal.com: its API client, the cancellations it is sent, its webhook, its settings."""
