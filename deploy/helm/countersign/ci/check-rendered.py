"""Checks of rendered chart manifests that kubernetes-validate does not make.

Run by scripts/helm-check.sh with the Python of its tool venv:

    check-rendered.py RENDERED.yaml[=KIND,KIND...] ...

Each file holds the output of one `helm template`; the kinds after "=" must occur in it, so that
a check of an optional feature cannot pass by rendering nothing.

1. Every object's apiVersion/kind is one the chart is meant to produce (kubernetes-validate
   only warns about a kind it has no schema for, such as a misspelt one or a removed version).
2. Custom resources, which kubernetes-validate skips: KEDA ScaledObject and Prometheus Operator
   ServiceMonitor are parsed with models generated from those projects' CRDs (cloudcoil), and a
   field the model does not know is an error. Kafka trigger metadata keys are checked against
   the keys KEDA's Kafka scaler documents.
3. References inside the release: autoscalers point at a Deployment of the release, a
   ServiceMonitor selects a Service of the release and names one of its ports.
4. What the chart promises every pod: non-root uid 10001 (the images' USER), the
   RuntimeDefault seccomp profile, read-only root filesystem with an emptyDir /tmp, no privilege
   escalation, all capabilities dropped, no service account token, requests and limits, secrets
   only from Secrets, and the health probes of a service.
5. Scaling: the publisher's ScaledObject follows its backlog (a prometheus trigger on
   countersign_publisher_publications_waiting) with at least one replica; the others follow
   consumer lag (kafka triggers). Hooks: migrations and topics before, re-sealing after.
6. NetworkPolicies (check_network.py): every pod denied by default, no rule open to everyone,
   and each kind of traffic allowed to exactly the pods that need it.
7. Each service's own database login (ADR 0060): a container holds at most one
   <SERVICE>_DATABASE_URL and never a shared DATABASE_URL, and no two services read one Secret
   key for it.

Prints one line per file and every problem found; exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from check_network import check_network_policies
from cloudcoil.models.keda.v1alpha1 import ScaledObject
from cloudcoil.models.prometheus_operator.v1 import ServiceMonitor
from pydantic import BaseModel, ValidationError

EXPECTED_KINDS = {
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("v1", "Pod"),
    ("batch/v1", "Job"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "Ingress"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("kafka.strimzi.io/v1", "KafkaUser"),
    ("kafka.strimzi.io/v1", "KafkaTopic"),
}
# A service's Kafka user may do no more than this (ADR 0063): no Create, Alter, Delete, All.
KAFKA_USER_OPERATIONS = {"Read", "Write", "Describe", "IdempotentWrite"}
# A reader downstream (kafka.readers) reads, and that is all.
READER_OPERATIONS = {"Read", "Describe"}
CUSTOM_RESOURCES: dict[str, type[BaseModel]] = {
    "ScaledObject": ScaledObject,
    "ServiceMonitor": ServiceMonitor,
}
# KEDA Kafka scaler trigger metadata (keda.sh/docs/2.x/scalers/apache-kafka/).
KAFKA_TRIGGER_KEYS = {
    "bootstrapServers",
    "consumerGroup",
    "topic",
    "partitionLimitation",
    "lagThreshold",
    "activationLagThreshold",
    "offsetResetPolicy",
    "allowIdleConsumers",
    "excludePersistentLag",
    "scaleToZeroOnInvalidOffset",
    "limitToPartitionsWithLag",
    "ensureEvenDistributionOfPartitions",
    "version",
    "sasl",
    "tls",
    "unsafeSsl",
}
KAFKA_TRIGGER_REQUIRED = {"bootstrapServers", "consumerGroup", "topic"}
SERVICES = ("INGEST", "APPROVAL", "PUBLISHER", "NOTIFIER")
# KEDA Prometheus scaler trigger metadata (keda.sh/docs/2.x/scalers/prometheus/).
PROMETHEUS_TRIGGER_KEYS = {
    "serverAddress",
    "query",
    "threshold",
    "activationThreshold",
    "namespace",
    "customHeaders",
    "ignoreNullValues",
    "queryParameters",
    "unsafeSsl",
    "authModes",
}
PROMETHEUS_TRIGGER_REQUIRED = {"serverAddress", "query", "threshold"}
BACKLOG_METRIC = "countersign_publisher_publications_waiting"
HOOKS = {"migrate": "pre-install,pre-upgrade", "topics": "pre-install,pre-upgrade"}
HOOKS["reseal"] = "post-install,post-upgrade"
SECRET_VARIABLES = {
    *(f"{service}_DATABASE_URL" for service in SERVICES),
    "COUNTERSIGN_ADMIN_TOKEN",
    "DOCUMENT_LINK_SECRET",
    "ENCRYPTION_KEYS",
    "APPROVAL_SIGNING_KEYS",
    "WEB_CLIENT_SECRET",
    "WEB_COOKIE_KEYS",
    "WEB_SMTP_PASSWORD",
    "WEB_OIDC_CLIENT_SECRET",
    "NOTIFIER_CLIENT_SECRET",
    "NOTIFIER_SMTP_PASSWORD",
}
UID = 10001


def unknown_fields(given: Any, parsed: Any, path: str) -> list[str]:
    """Paths present in the manifest but dropped by the model (fields it does not know)."""
    if isinstance(given, dict) and isinstance(parsed, dict):
        problems = []
        for key, value in given.items():
            if key not in parsed:
                problems.append(f"{path}.{key}: unknown field")
            else:
                problems += unknown_fields(value, parsed[key], f"{path}.{key}")
        return problems
    if isinstance(given, list) and isinstance(parsed, list):
        return [
            problem
            for index, (item, parsed_item) in enumerate(zip(given, parsed, strict=False))
            for problem in unknown_fields(item, parsed_item, f"{path}[{index}]")
        ]
    return []


def check_custom_resource(doc: dict[str, Any], where: str) -> list[str]:
    model = CUSTOM_RESOURCES[doc["kind"]]
    try:
        parsed = model.model_validate(doc)
    except ValidationError as error:
        return [
            f"{where}: {'.'.join(str(part) for part in e['loc'])}: {e['msg']}"
            for e in error.errors()
        ]
    dumped = parsed.model_dump(by_alias=True, exclude_none=True, mode="json")
    problems = unknown_fields(doc, dumped, where)
    if doc["kind"] == "ScaledObject":
        for index, trigger in enumerate(doc["spec"]["triggers"]):
            metadata = trigger.get("metadata", {})
            at = f"{where}.spec.triggers[{index}].metadata"
            if trigger["type"] == "kafka":
                problems += _keys(at, metadata, KAFKA_TRIGGER_KEYS, KAFKA_TRIGGER_REQUIRED)
            elif trigger["type"] == "prometheus":
                problems += _keys(
                    at, metadata, PROMETHEUS_TRIGGER_KEYS, PROMETHEUS_TRIGGER_REQUIRED
                )
            elif trigger["type"] == "cpu":
                if set(metadata) != {"value"} or trigger.get("metricType") != "Utilization":
                    problems.append(f"{at}: a cpu trigger has metricType Utilization and a value")
            else:
                problems.append(f"{at}: unexpected trigger type {trigger['type']!r}")
    return problems


def check_database_logins(container: dict[str, Any], at: str) -> list[str]:
    names = [v["name"] for v in container.get("env", [])]
    logins = [name for name in names if name.endswith("_DATABASE_URL")]
    problems = [
        f"{at}: a shared DATABASE_URL; each service has its own"
        for n in names
        if n == "DATABASE_URL"
    ]
    if len(logins) > 1:
        problems.append(f"{at}: one database login per container, not {', '.join(logins)}")
    return problems


def database_secrets(docs: list[dict[str, Any]]) -> list[str]:
    """No two services read their database login from one Secret key."""
    readers: dict[tuple[str, str], set[str]] = {}
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if variable["name"].endswith("_DATABASE_URL") and ref:
                    service = variable["name"].removesuffix("_DATABASE_URL")
                    readers.setdefault((ref["name"], ref["key"]), set()).add(service)
    return [
        f"Secret {name} key {key}: the database login of {', '.join(sorted(services))} at once"
        for (name, key), services in sorted(readers.items())
        if len(services) > 1
    ]


def _keys(at: str, metadata: dict[str, Any], known: set[str], required: set[str]) -> list[str]:
    problems = [f"{at}.{key}: not a key of this scaler" for key in sorted(set(metadata) - known)]
    return problems + [f"{at}.{key}: missing" for key in sorted(required - set(metadata))]


def check_scaling(doc: dict[str, Any], where: str) -> list[str]:
    """The publisher on its backlog with at least one replica; the others on consumer lag."""
    spec = doc["spec"]
    types = {t["type"] for t in spec["triggers"]} - {"cpu"}
    if doc["metadata"]["labels"]["app.kubernetes.io/component"] != "publisher":
        return [] if types == {"kafka"} else [f"{where}: must scale on consumer lag (kafka)"]
    problems = []
    if types != {"prometheus"}:
        problems.append(f"{where}: the publisher must scale on its backlog (prometheus)")
    queries = [t["metadata"].get("query", "") for t in spec["triggers"] if t["type"] != "cpu"]
    if not all(BACKLOG_METRIC in query for query in queries):
        problems.append(f"{where}: the backlog query must read {BACKLOG_METRIC}")
    if spec.get("minReplicaCount", 0) < 1:
        problems.append(f"{where}: the publisher must keep at least one replica")
    return problems


def check_pod(spec: dict[str, Any], where: str, *, serves_http: bool) -> list[str]:
    problems = []
    pod_security = spec.get("securityContext", {})
    if pod_security.get("runAsNonRoot") is not True or pod_security.get("runAsUser") != UID:
        problems.append(f"{where}: pod securityContext must run as non-root uid {UID}")
    if pod_security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: pod securityContext must use the RuntimeDefault seccomp profile")
    if spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: automountServiceAccountToken must be false")
    empty_dirs = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
    for container in spec["containers"]:
        at = f"{where}.containers[{container['name']}]"
        security = container.get("securityContext", {})
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{at}: readOnlyRootFilesystem must be true")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{at}: allowPrivilegeEscalation must be false")
        if "ALL" not in security.get("capabilities", {}).get("drop", []):
            problems.append(f"{at}: capabilities must drop ALL")
        if security.get("runAsNonRoot") is not True or security.get("runAsUser", UID) != UID:
            problems.append(f"{at}: must run as non-root uid {UID}")
        if security.get("seccompProfile", {}).get("type", "RuntimeDefault") != "RuntimeDefault":
            problems.append(f"{at}: must not leave the RuntimeDefault seccomp profile")
        tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        if not tmp or tmp[0]["name"] not in empty_dirs:
            problems.append(f"{at}: /tmp must be an emptyDir")
        resources = container.get("resources", {})
        for kind in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(kind, {})):
                problems.append(f"{at}: resources.{kind} needs cpu and memory")
        for variable in container.get("env", []):
            if variable["name"] in SECRET_VARIABLES and "secretKeyRef" not in variable.get(
                "valueFrom", {}
            ):
                problems.append(f"{at}: {variable['name']} must come from a Secret")
        problems += check_database_logins(container, at)
        if serves_http:
            probes = {
                "livenessProbe": "/health/live",
                "readinessProbe": "/health/ready",
                "startupProbe": "/health/live",
            }
            for probe, path in probes.items():
                if container.get(probe, {}).get("httpGet", {}).get("path") != path:
                    problems.append(f"{at}: {probe} must GET {path}")
            if "command" in container or "args" in container:
                problems.append(f"{at}: a service runs the image's default command")
    return problems


def check_file(path: Path, required: list[str]) -> list[str]:
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    problems = []
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    deployments = by_kind.get("Deployment", {})
    services = by_kind.get("Service", {})
    for doc in docs:
        kind, name = doc["kind"], doc["metadata"]["name"]
        where = f"{kind}/{name}"
        if (doc["apiVersion"], kind) not in EXPECTED_KINDS:
            problems.append(f"{where}: unexpected apiVersion/kind {doc['apiVersion']}/{kind}")
            continue
        if kind in CUSTOM_RESOURCES:
            problems += check_custom_resource(doc, where)
        if kind == "ScaledObject":
            problems += check_scaling(doc, where)
        if kind in ("ScaledObject", "HorizontalPodAutoscaler"):
            target = doc["spec"]["scaleTargetRef"]["name"]
            if target not in deployments:
                problems.append(f"{where}: scales {target}, which is no Deployment here")
        if kind == "ServiceMonitor":
            selector = doc["spec"]["selector"]["matchLabels"]
            chosen = [
                s
                for s in services.values()
                if selector.items() <= s["metadata"].get("labels", {}).items()
            ]
            ports = {p["name"] for s in chosen for p in s["spec"]["ports"]}
            if len(chosen) != 1:
                problems.append(f"{where}: selects {len(chosen)} Services, not 1")
            problems += [
                f"{where}: port {e['port']!r} is not a port of the selected Service"
                for e in doc["spec"]["endpoints"]
                if e["port"] not in ports
            ]
        if kind == "KafkaUser":
            reader = doc["metadata"]["labels"]["app.kubernetes.io/component"] == "readers"
            allowed = READER_OPERATIONS if reader else KAFKA_USER_OPERATIONS
            problems += [
                f"{where}: may {sorted(set(acl['operations']) - allowed)} on {acl['resource']}"
                for acl in doc["spec"]["authorization"]["acls"]
                if not set(acl["operations"]) <= allowed or acl["resource"].get("name") == "*"
            ]
        if kind == "Deployment":
            problems += check_pod(doc["spec"]["template"]["spec"], where, serves_http=True)
        elif kind == "Job":
            problems += check_pod(doc["spec"]["template"]["spec"], where, serves_http=False)
            hook = doc["metadata"].get("annotations", {}).get("helm.sh/hook")
            task = doc["metadata"]["labels"]["app.kubernetes.io/component"].split("-")[0]
            if hook != HOOKS.get(task):
                problems.append(f"{where}: must be a {HOOKS.get(task)} hook, not {hook}")
        elif kind == "Pod":
            problems += check_pod(doc["spec"], where, serves_http=False)
    problems += database_secrets(docs)
    problems += check_network_policies(docs)
    kinds = Counter(doc["kind"] for doc in docs)
    problems += [f"no {kind} rendered" for kind in required if not kinds[kind]]
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    print(f"{path.name}: {len(docs)} objects ({summary})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", metavar="FILE[=KIND,KIND...]")
    args = parser.parse_args()
    failed = False
    for argument in args.files:
        name, _, kinds = argument.partition("=")
        path = Path(name)
        problems = check_file(path, [kind for kind in kinds.split(",") if kind])
        for problem in problems:
            print(f"  ERROR {path.name}: {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
