"""Shared service plumbing: outbox, inbox consumer, migrations, settings, telemetry, app factory."""
