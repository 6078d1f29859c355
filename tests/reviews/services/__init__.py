"""Writes to reviews (reviews/services/), one file per sub-domain."""
