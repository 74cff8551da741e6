"""The ground floor: errors, atomic file writes, seeding, the one `Registry`. Imports nothing
else of pratique.

Every other package may import from here; nothing here imports upward (see docs/architecture.md).
"""
