"""Suggestions for a new round from what the kommune already knows: last round and KITOS."""
