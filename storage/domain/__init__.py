"""The pure core: domain types and rules. Stdlib (and holidays) only."""
