"""Innermost layer: SQL, the Bilag 1 workbook and the pure domain. Knows nothing of chats."""
