"""The notifier's HTTP API: only the platform's health, readiness and metrics. People never
call it; it answers events."""

from fastapi import APIRouter

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = ()
