#!/usr/bin/env python3
"""Rules of ours that no schema knows, checked on rendered manifests.

Usage: deploy-policy.py COMPOSE_FILE RENDERED_K8S_YAML...

Schemas say a manifest is well formed; these say it still does what
docs/OPERATIONS.md promises: the worker is never killed before its drain
deadline, every pod runs unprivileged with probes and memory limits, and
the Ingress publishes no internal endpoint. One line per problem, exit 1.
"""

import re
import sys

import yaml  # PyYAML, installed with kubernetes-validate

DEFAULT_DRAIN_SECS = 20  # ESCALE_DRAIN_TIMEOUT_SECS when unset (crates/cli/src/config.rs)
INTERNAL_PATHS = ("/metrics", "/healthz", "/readyz")
problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def seconds(value):
    """Compose durations: 45s, 1m30s, or a bare number of seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    total, text = 0.0, str(value)
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        total += float(amount) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def check_compose(path):
    with open(path) as f:
        services = yaml.safe_load(f)["services"]
    for name in ("gateway", "worker"):
        if name not in services:
            problem(path, f"service {name} is missing")
    worker = services.get("worker", {})
    drain = float(worker.get("environment", {}).get("ESCALE_DRAIN_TIMEOUT_SECS", DEFAULT_DRAIN_SECS))
    grace = seconds(worker.get("stop_grace_period", "10s"))
    if grace <= drain:
        problem(path, f"worker stop_grace_period ({grace:g}s) must exceed its drain deadline ({drain:g}s)")


def check_pod(where, spec, probes):
    pod_security = spec.get("securityContext", {})
    if pod_security.get("runAsNonRoot") is not True:
        problem(where, "pod securityContext.runAsNonRoot must be true")
    for container in spec.get("initContainers", []) + spec.get("containers", []):
        at = f"{where} container {container.get('name')}"
        security = container.get("securityContext", {})
        if security.get("readOnlyRootFilesystem") is not True:
            problem(at, "readOnlyRootFilesystem must be true")
        if security.get("allowPrivilegeEscalation") is not False:
            problem(at, "allowPrivilegeEscalation must be false")
        if "ALL" not in security.get("capabilities", {}).get("drop", []):
            problem(at, "capabilities must drop ALL")
        resources = container.get("resources", {})
        if "memory" not in resources.get("requests", {}) or "memory" not in resources.get("limits", {}):
            problem(at, "memory request and limit are required")
        if probes:
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                got = container.get(probe, {}).get("httpGet", {}).get("path")
                if got != path:
                    problem(at, f"{probe} must GET {path} (has {got})")


def check_rendered(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    drain = DEFAULT_DRAIN_SECS
    for config in by_kind.get("ConfigMap", {}).values():
        drain = int(config.get("data", {}).get("ESCALE_DRAIN_TIMEOUT_SECS", drain))
    for name in ("escale-gateway", "escale-worker"):
        if name not in by_kind.get("Deployment", {}):
            problem(path, f"Deployment {name} is missing")
    for name, deployment in by_kind.get("Deployment", {}).items():
        spec = deployment["spec"]["template"]["spec"]
        check_pod(f"{path} Deployment {name}", spec, probes=True)
        if name == "escale-worker":
            grace = spec.get("terminationGracePeriodSeconds", 30)
            if grace <= drain:
                problem(path, f"worker terminationGracePeriodSeconds ({grace}) must exceed ESCALE_DRAIN_TIMEOUT_SECS ({drain})")
    for name, job in by_kind.get("Job", {}).items():
        check_pod(f"{path} Job {name}", job["spec"]["template"]["spec"], probes=False)
    if "escale-migrate" not in by_kind.get("Job", {}):
        problem(path, "the migration Job escale-migrate is missing")
    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        target = hpa["spec"]["scaleTargetRef"]["name"]
        if target not in by_kind.get("Deployment", {}):
            problem(path, f"HorizontalPodAutoscaler {name} targets unknown Deployment {target}")
        if "replicas" in by_kind.get("Deployment", {}).get(target, {}).get("spec", {}):
            problem(path, f"Deployment {target} sets replicas: each apply would undo the autoscaler")
    for name, ingress in by_kind.get("Ingress", {}).items():
        for rule in ingress["spec"].get("rules", []):
            for entry in rule.get("http", {}).get("paths", []):
                route = entry.get("path", "/")
                if route.rstrip("/") == "" or route.startswith(INTERNAL_PATHS):
                    problem(path, f"Ingress {name} publishes {route}: only public routes, never /metrics or probes")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    check_compose(argv[1])
    for path in argv[2:]:
        check_rendered(path)
    for line in problems:
        print(f"policy: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
