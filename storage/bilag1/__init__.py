"""KOMBIT's Bilag 1 workbook: pure layout and write plan, openpyxl reader/writer, JSON shape."""
