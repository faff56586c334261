"""What a service is, for the commands that serve every installed service (migrations, topics,
re-sealing, the AsyncAPI documents): its name, migrations, what it consumes and produces, and
where it stores sealed secrets. A service
registers its ``ServiceSpec`` under the ``countersign.services`` entry point, so they find it
without a list to maintain."""

from __future__ import annotations

import argparse
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from countersign_platform.sealing import SealedColumn
from countersign_platform.subscription import Subscription

__all__ = [
    "ENTRY_POINT_GROUP",
    "ServiceSpec",
    "add_service_arguments",
    "chosen_services",
    "installed_services",
]

ENTRY_POINT_GROUP = "countersign.services"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    migrations: Path
    consumes: tuple[Subscription, ...] = ()
    produces: tuple[str, ...] = ()
    # Where it stores values sealed with ENCRYPTION_KEYS: what countersign-reseal re-seals.
    sealed: tuple[SealedColumn, ...] = ()

    @property
    def schema(self) -> str:
        return self.name

    @property
    def env_prefix(self) -> str:
        """Its settings' prefix, so ``<PREFIX>DATABASE_URL`` is its own role's (ADR 0060)."""
        return self.name.upper().replace("-", "_") + "_"


def installed_services() -> dict[str, ServiceSpec]:
    specs = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        spec = entry.load()
        if not isinstance(spec, ServiceSpec):
            raise TypeError(f"entry point {entry.name} is not a ServiceSpec")
        specs[spec.name] = spec
    return dict(sorted(specs.items()))


def add_service_arguments(parser: argparse.ArgumentParser) -> None:
    """``[--all | SERVICE ...]``, as every command over the installed services takes them."""
    parser.add_argument("services", nargs="*", help="service names (default: all installed)")
    parser.add_argument("--all", action="store_true", help="every installed service")


def chosen_services(args: argparse.Namespace) -> list[ServiceSpec] | None:
    """The services ``args`` name (all when none or ``--all``); None, said on stdout, when one
    is not installed."""
    services = installed_services()
    wanted = list(services) if args.all or not args.services else args.services
    unknown = sorted(set(wanted) - set(services))
    if unknown:
        print(f"unknown services: {', '.join(unknown)}; installed: {', '.join(services)}")
        return None
    return [services[name] for name in wanted]
