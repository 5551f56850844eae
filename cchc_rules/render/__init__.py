"""Renderers: read-only views of a `Result` (text, explanation, JSON)."""
