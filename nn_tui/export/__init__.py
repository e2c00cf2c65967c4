"""Exports of a lesson: its worked solution as a document and as a standalone NumPy script."""
