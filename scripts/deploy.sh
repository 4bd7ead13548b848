#!/usr/bin/env bash
# `make deploy` / `make undeploy`: MQTTZoo on the current Kubernetes cluster (docs/DEPLOY.md).
#
#   scripts/deploy.sh deploy     build the broker image where the cluster can run it, apply
#                                manifests/overlays/<OVERLAY> (kubectl apply -k), wait for the rollout,
#                                print how to connect
#   scripts/deploy.sh undeploy   delete what deploy created; ZooKeeper's volumes stay unless PURGE=1
#
# Environment:
#   OVERLAY=minikube|production  default: minikube when the kube context is a minikube profile,
#                                production otherwise
#   IMAGE=registry/name:tag      build it with docker, push it, deploy it (any cluster). Without it,
#                                the image is built inside minikube (minikube contexts only)
#   SKIP_BUILD=1                 deploy IMAGE as it is (already pushed, e.g. by CI)
#   NAMESPACE=name               namespace for everything (default: the context's)
#   ROLLOUT_TIMEOUT=10m          how long to wait for each StatefulSet
#   PURGE=1                      undeploy also deletes ZooKeeper's volumes: all cluster data
#   DRY_RUN=1                    check the tools and the cluster, then print the commands that would
#                                change anything instead of running them
# Works with bash 3.2 (macOS) and later.
set -euo pipefail

cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

SECRET=mqttzoo-debug-token
GENERATED=manifests/.deploy

die() {
  echo "deploy: $*" >&2
  exit 1
}
say() { echo "deploy: $*"; }
dry() { [ "${DRY_RUN:-}" = 1 ]; }
# An argument as the shell would need it typed (quoted only when it has to be).
quote() {
  case "$1" in
    '' | *[!A-Za-z0-9_./:=,@%+-]*) printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf %s "$1" ;;
  esac
}
# Commands that change the cluster or build images: printed instead of run under DRY_RUN.
run() {
  if dry; then
    printf '+'
    for arg in "$@"; do printf ' %s' "$(quote "$arg")"; done
    printf '\n'
  else
    "$@"
  fi
}
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"; }

action=${1:-}
case "$action" in
  deploy | undeploy) ;;
  *)
    echo "usage: scripts/deploy.sh deploy|undeploy   (make deploy, make undeploy; see docs/DEPLOY.md)" >&2
    exit 2
    ;;
esac

need kubectl "install it (https://kubernetes.io/docs/tasks/tools/) and point it at a cluster"
context=$(kubectl config current-context 2>/dev/null) || context=""
[ -n "$context" ] ||
  die "no current kube context: start minikube (minikube start) or choose a cluster (kubectl config use-context NAME)"
kubectl --request-timeout=10s get --raw /version >/dev/null 2>&1 ||
  die "cannot reach the cluster of context '$context': is it running? (minikube status; kubectl cluster-info)"

ns=()
if [ -n "${NAMESPACE:-}" ]; then ns=(-n "$NAMESPACE"); fi
kube() { kubectl ${ns[@]+"${ns[@]}"} "$@"; }

profile=${MINIKUBE_PROFILE:-$context}
on_minikube=false
if [ "$context" = minikube ] || [ -n "${MINIKUBE_PROFILE:-}" ]; then
  on_minikube=true
elif command -v minikube >/dev/null 2>&1 && minikube -p "$context" status >/dev/null 2>&1; then
  on_minikube=true
fi

overlay=${OVERLAY:-}
if [ -z "$overlay" ]; then
  if $on_minikube; then overlay=minikube; else overlay=production; fi
fi
case "$overlay" in
  minikube | production) ;;
  *) die "OVERLAY must be minikube or production, not '$overlay'" ;;
esac
[ -d "manifests/overlays/$overlay" ] || die "manifests/overlays/$overlay is missing"

if [ "$action" = undeploy ]; then
  say "context $context, overlay $overlay${NAMESPACE:+, namespace $NAMESPACE}: deleting MQTTZoo"
  run kubectl ${ns[@]+"${ns[@]}"} delete -k "manifests/overlays/$overlay" --ignore-not-found
  # ConfigMaps of earlier deploys (their names carry a hash of the content) and the generated token.
  run kubectl ${ns[@]+"${ns[@]}"} delete configmap -l app.kubernetes.io/part-of=mqttzoo --ignore-not-found
  run kubectl ${ns[@]+"${ns[@]}"} delete secret -l app.kubernetes.io/managed-by=mqttzoo-deploy --ignore-not-found
  claims=app.kubernetes.io/name=zookeeper,app.kubernetes.io/instance=mqttzoo
  if [ "${PURGE:-}" = 1 ]; then
    run kubectl ${ns[@]+"${ns[@]}"} delete pvc -l "$claims" --ignore-not-found
  else
    say "ZooKeeper's volumes (the cluster's data) are kept: PURGE=1 make undeploy deletes them"
  fi
  exit 0
fi

# The image: pushed by docker (IMAGE), or built inside minikube under a tag unique to the source.
version=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' package.json)
[ -n "$version" ] || die "no version in package.json"
digest=""
tag=""
if [ -n "${IMAGE:-}" ]; then
  if [[ "$IMAGE" == *@* ]]; then
    name=${IMAGE%%@*}
    digest=${IMAGE#*@}
    [ "${SKIP_BUILD:-}" = 1 ] || die "IMAGE by digest names a pushed image: add SKIP_BUILD=1"
  elif [[ "${IMAGE##*/}" == *:* ]]; then
    name=${IMAGE%:*}
    tag=${IMAGE##*:}
  else
    die "IMAGE needs a tag: registry/name:tag"
  fi
  if [ "${SKIP_BUILD:-}" != 1 ]; then
    need docker "install Docker to build and push IMAGE, or set SKIP_BUILD=1 to deploy an image already pushed"
  fi
else
  $on_minikube ||
    die "context '$context' is not minikube: set IMAGE=registry/name:tag (built with docker, pushed where the cluster pulls from)"
  need minikube "install it (https://minikube.sigs.k8s.io/docs/start/), or set IMAGE=registry/name:tag to build and push with docker"
  name=mqttzoo
  tag="$version-$(git rev-parse --short HEAD 2>/dev/null || echo local)"
  if [ -n "$(git status --porcelain 2>/dev/null || true)" ]; then tag="$tag-dirty-$(date +%s)"; fi
fi
say "context $context, overlay $overlay${NAMESPACE:+, namespace $NAMESPACE}, image $name${digest:+@$digest}${tag:+:$tag}"
if [ -z "${IMAGE:-}" ]; then
  run minikube -p "$profile" image build -t "$name:$tag" .
elif [ "${SKIP_BUILD:-}" != 1 ]; then
  run docker build -t "$IMAGE" .
  run docker push "$IMAGE"
fi
image_line="newTag: \"$tag\""
if [ -n "$digest" ]; then image_line="digest: \"$digest\""; fi

# The debug token guards /debug and /metrics now that HTTP listens on the pod's address.
if ! kube get secret "$SECRET" >/dev/null 2>&1; then
  if dry; then
    echo "+ kubectl ${ns[*]+${ns[*]} }create secret generic $SECRET --from-file=token=/dev/stdin  # a random token"
  else
    head -c 30 /dev/urandom | base64 | tr -d '/+=\n' | kube create secret generic "$SECRET" --from-file=token=/dev/stdin >/dev/null
    kube label secret "$SECRET" app.kubernetes.io/part-of=mqttzoo app.kubernetes.io/managed-by=mqttzoo-deploy >/dev/null
    say "created Secret $SECRET with a random debug token (kubectl get secret $SECRET -o jsonpath='{.data.token}' | base64 -d)"
  fi
fi

# The overlay with this image, applied in one step: kustomize resolves ../overlays from here.
kustomization="# Written by scripts/deploy.sh for one kubectl apply -k, then deleted.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../overlays/$overlay
images:
  - name: mqttzoo
    newName: $name
    $image_line"
if dry; then
  echo "# $GENERATED/kustomization.yaml:"
  echo "$kustomization"
else
  trap 'rm -rf "$GENERATED"' EXIT
  mkdir -p "$GENERATED"
  echo "$kustomization" >"$GENERATED/kustomization.yaml"
fi
run kubectl ${ns[@]+"${ns[@]}"} apply -k "$GENERATED"

timeout=${ROLLOUT_TIMEOUT:-10m}
for sts in zookeeper mqttzoo; do
  run kubectl ${ns[@]+"${ns[@]}"} rollout status "statefulset/$sts" "--timeout=$timeout" ||
    die "statefulset/$sts is not ready after $timeout: kubectl get pods -l app.kubernetes.io/part-of=mqttzoo; kubectl describe pod $sts-0"
done

address() {
  kube get service mqttzoo-mqtt \
    -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true
}
lb=$(address)
if ! dry && ! $on_minikube && [ -z "$lb" ]; then
  say "waiting up to 2 minutes for the load balancer's address"
  for _ in $(seq 24); do
    sleep 5
    lb=$(address)
    [ -z "$lb" ] || break
  done
fi
echo
echo "MQTTZoo ($overlay) is deployed: 3 ZooKeeper servers, 3 brokers behind Service mqttzoo-mqtt (port 1883)."
if $on_minikube && [ -z "$lb" ]; then
  echo "The LoadBalancer gets an address from a tunnel; in another terminal:"
  echo "  minikube -p $profile tunnel"
  echo "then: kubectl ${ns[*]+${ns[*]} }get service mqttzoo-mqtt   (EXTERNAL-IP)"
  echo "      make sub HOST=<EXTERNAL-IP>      make pub HOST=<EXTERNAL-IP>"
  echo "Or without a tunnel: minikube -p $profile service mqttzoo-mqtt ${NAMESPACE:+-n $NAMESPACE }--url   gives HOST:PORT for"
  echo "      make sub HOST=<host> PORT=<port>"
elif [ -n "$lb" ]; then
  echo "  make sub HOST=$lb      make pub HOST=$lb"
else
  echo "The load balancer has no address yet: kubectl ${ns[*]+${ns[*]} }get service mqttzoo-mqtt --watch"
  echo "then: make sub HOST=<EXTERNAL-IP>      make pub HOST=<EXTERNAL-IP>"
fi
echo "Health and debug per broker: kubectl ${ns[*]+${ns[*]} }port-forward pod/mqttzoo-0 8080, then http://localhost:8080/debug/ (token: Secret $SECRET)"
