#!/usr/bin/env bash
# Deployment checks without a cluster or a Docker engine (npm run check:deploy):
#   1. render every deploy/k8s overlay with kubectl's built-in kustomize;
#   2. validate the rendered objects: Kubernetes schemas, unknown fields, Kera's rules (validate.mjs);
#   3. validate docker-compose.yml with Debian's docker-compose v1 (`config -q`);
#   4. check the Dockerfiles against the workspace and compose (dockerfiles.mjs).
# Runs every step, reports every problem, exits non-zero if any step failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tools/deploy-check"
cd "$ROOT"

say() { printf '[deploy-check] %s\n' "$*"; }
die() { printf '[deploy-check] ERROR: %s\n' "$*" >&2; exit 1; }

# kubernetes-models needs Node >= 22: prefer the project's Node 24 over an older system node.
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || NODE="$(command -v node || true)"
[ -n "$NODE" ] || die "node not found: run 'npm ci' at the repository root"

command -v kubectl >/dev/null 2>&1 ||
  die "kubectl not found: it renders deploy/k8s (built-in kustomize) offline; install kubectl"
command -v docker-compose >/dev/null 2>&1 ||
  die "docker-compose not found: install Debian's validator with 'apt-get install -y docker-compose'"
# Resolved from this directory, as validate.mjs resolves them.
(cd "$HERE" && "$NODE" --input-type=module -e "
  await import('yaml');
  await import('kubernetes-models/v1');
  await import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1');
") >/dev/null 2>&1 ||
  die "missing devDependencies yaml, kubernetes-models, @kubernetes-models/prometheus-operator: run 'npm ci'"

RENDERED="$(mktemp -d)"
trap 'rm -rf "$RENDERED"' EXIT
failed=0

for overlay in deploy/k8s/overlays/*/; do
  name="$(basename "$overlay")"
  say "kubectl kustomize $overlay"
  if ! kubectl kustomize "$overlay" >"$RENDERED/$name.yaml"; then
    say "  ✗ $overlay does not render"
    failed=1
  fi
done

say "validating rendered manifests"
# shellcheck disable=SC2046
"$NODE" "$HERE/validate.mjs" $(ls "$RENDERED"/*.yaml 2>/dev/null) || failed=1

say "docker-compose config -q"
if docker-compose -f docker-compose.yml --profile demo config -q; then
  say "  ✓ docker-compose.yml"
else
  say "  ✗ docker-compose.yml is not a valid Compose file"
  failed=1
fi

say "Dockerfiles"
"$NODE" "$HERE/dockerfiles.mjs" || failed=1

if [ "$failed" -ne 0 ]; then
  say "FAILED: see the ✗ lines above"
  exit 1
fi
say "all deployment checks passed"
