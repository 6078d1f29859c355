"""Recommendations → actions → progress: built by a later issue."""
