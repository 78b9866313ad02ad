"""Pegasus: re-compete and manage a public body's outsourced ICT contracts."""
