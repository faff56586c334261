"""Plays Dext against a running ingest."""
