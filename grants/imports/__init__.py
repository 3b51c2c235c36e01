"""Bringing an existing portfolio in from a workbook."""
