"""The NetworkPolicies of one rendered release, checked against the pods it renders (used by
check-rendered.py). With networkPolicy.enabled:

- a policy with both policy types and no rule selects every pod: all traffic denied by default;
- no rule is open to everyone (a rule without peers or ports allows every peer or port);
- the policy of each kind of traffic selects exactly the pods that need it:
    ingress-controller  the pods behind the Ingresses' backends (only they are reached from it)
    kafka               the services but the web app, and the topics Job
    postgres            the services but the web app, the migration and re-sealing Jobs
    ledger              the publisher (and approval and the web app with Sign in with Xero)
  and the internal policy admits the release's own pods to the HTTP ports, and nothing else.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_network_policies"]

Labels = dict[str, str]


def _selects(selector: dict[str, Any], labels: Labels) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        value = labels.get(key)
        holds = {
            "In": value is not None and value in values,
            "NotIn": value is None or value not in values,
            "Exists": value is not None,
            "DoesNotExist": value is None,
        }[operator]
        if not holds:
            return False
    return True


def _pods(docs: list[dict[str, Any]]) -> dict[str, Labels]:
    """Every pod the release runs, by its component label."""
    found = {}
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            labels = doc["spec"]["template"]["metadata"]["labels"]
        elif doc["kind"] == "Pod":
            labels = doc["metadata"]["labels"]
        else:
            continue
        found[labels["app.kubernetes.io/component"]] = labels
    return found


def _behind_ingresses(docs: list[dict[str, Any]]) -> set[str]:
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    return {
        services[path["backend"]["service"]["name"]]["spec"]["selector"][
            "app.kubernetes.io/component"
        ]
        for doc in docs
        if doc["kind"] == "Ingress"
        for rule in doc["spec"]["rules"]
        for path in rule["http"]["paths"]
    }


def _expected(docs: list[dict[str, Any]], pods: dict[str, Labels]) -> dict[str, set[str]]:
    deployments = {
        d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
        for d in docs
        if d["kind"] == "Deployment"
    }
    services = deployments - {"web"}
    jobs = set(pods) - deployments - {"test"}
    expected = {
        "ingress-controller": _behind_ingresses(docs),
        "kafka": services | ({"topics"} & jobs),
        "postgres": services | {j for j in jobs if j.startswith(("migrate-", "reseal-"))},
        "ledger": {"publisher"} & services,
    }
    if "WEB_OIDC_ISSUER" in _env_names(docs, "web"):
        expected["ledger"] |= {"approval", "web"}
    return expected


def _env_names(docs: list[dict[str, Any]], component: str) -> set[str]:
    return {
        variable["name"]
        for doc in docs
        if doc["kind"] == "Deployment"
        and doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
        == component
        for container in doc["spec"]["template"]["spec"]["containers"]
        for variable in container.get("env", [])
    }


def _internal_only(policy: dict[str, Any], where: str) -> list[str]:
    """The internal policy admits the release's own pods (a podSelector alone), to HTTP only."""
    problems = []
    for index, rule in enumerate(policy["spec"].get("ingress", [])):
        if any(set(peer) != {"podSelector"} for peer in rule["from"]):
            problems.append(f"{where}.ingress[{index}]: admits pods outside the namespace")
        if any(port.get("port") != "http" for port in rule["ports"]):
            problems.append(f"{where}.ingress[{index}]: admits more than the HTTP port")
    return problems


def _open_rules(policy: dict[str, Any], where: str) -> list[str]:
    problems = []
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for index, rule in enumerate(policy["spec"].get(direction, [])):
            if not rule.get(peers) or not rule.get("ports"):
                problems.append(f"{where}.{direction}[{index}]: open to every {peers} peer or port")
    return problems


def check_network_policies(docs: list[dict[str, Any]]) -> list[str]:
    policies = {d["metadata"]["name"]: d for d in docs if d["kind"] == "NetworkPolicy"}
    if not policies:
        return []
    pods = _pods(docs)
    problems = []
    deny = [
        p
        for p in policies.values()
        if set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    for component, labels in sorted(pods.items()):
        if not any(_selects(p["spec"]["podSelector"], labels) for p in deny):
            problems.append(f"pod {component}: no NetworkPolicy denies its traffic by default")
    for name, policy in policies.items():
        problems += _open_rules(policy, f"NetworkPolicy/{name}")
        if name.endswith("-internal"):
            problems += _internal_only(policy, f"NetworkPolicy/{name}")
    for kind, wanted in _expected(docs, pods).items():
        policy = next((p for n, p in policies.items() if n.endswith(f"-{kind}")), None)
        chosen = (
            set()
            if policy is None
            else {
                c for c, labels in pods.items() if _selects(policy["spec"]["podSelector"], labels)
            }
        )
        if chosen != wanted:
            problems.append(f"the {kind} policy selects {sorted(chosen)}, not {sorted(wanted)}")
    return problems
