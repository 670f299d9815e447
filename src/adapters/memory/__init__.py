"""In-memory adapters of every port, for use-case tests and quick experiments."""
