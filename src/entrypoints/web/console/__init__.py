"""The staff console (`/console`): pages for the business's staff, behind a sign-in (ADR 0022)."""
