"""The Textual app: a thin layer over the core library (which never imports Textual)."""
