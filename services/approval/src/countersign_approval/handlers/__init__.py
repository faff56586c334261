"""Approval's use cases: an event or a request in, state and events out, in one transaction."""
