"""Masthead: a fast, self-hosted news publishing platform."""
