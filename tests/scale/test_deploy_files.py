"""deploy/: the compose file, the Kubernetes manifests, nginx.conf and the production endpoints
agree with each other and with the code (probe paths are real routes, every variable is read
by someone, every process has liveness and readiness). No cluster here: parsing and cross-checks.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import yaml

from bot.settings import Settings
from tests.scale.topology import NGINX, nginx_command, render_nginx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
IMAGE = "civic-assistant"


def _values(node: Any) -> List[str]:
    if isinstance(node, dict):
        return [value for child in node.values() for value in _values(child)]
    return [str(node)]


ENDPOINT_VARS = {name for value in _values(yaml.safe_load((DEPLOY / "endpoints.production.yml").read_text()))
                 for name in re.findall(r"\$\{([A-Z_]+)\}", value)}
# Read by someone other than bot.settings: Rasa (endpoints file) and the postgres image.
NOT_SETTINGS = ENDPOINT_VARS | {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


def k8s_documents() -> List[Dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    documents = []
    for name in kustomization["resources"]:
        documents += [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]
    return documents


def of_kind(kind: str) -> List[Dict[str, Any]]:
    return [doc for doc in k8s_documents() if doc["kind"] == kind]


def config_keys() -> Set[str]:
    configmap = next(doc for doc in of_kind("ConfigMap") if doc["metadata"]["name"] == "civic-config")
    secret = yaml.safe_load((K8S / "secret.example.yaml").read_text())
    return set(configmap["data"]) | set(secret["stringData"])


def routes_served() -> Dict[str, Set[str]]:
    """The GET paths each process really serves, from the apps themselves."""
    from channels.dispatch_health import Heartbeat, build_app
    from channels.metrics import MetricsInput
    from console.app import create_app

    console = {route.path if route.path.startswith("/") else "/" + route.path
               for route in create_app(name="deploy_check").router.routes}
    blueprint = MetricsInput().blueprint(lambda message: None)  # type: ignore[arg-type,return-value]
    rasa = {"/webhooks/metrics" + route.uri for route in blueprint._future_routes}
    dispatcher = {resource.canonical for resource in build_app(Heartbeat(), 60, None).router.resources()}
    actions = {"/health", "/ready", "/metrics"}  # rasa_sdk's /health + scripts/run_actions.py's two
    run_actions = (ROOT / "scripts" / "run_actions.py").read_text()
    assert '"/ready"' in run_actions and '"/metrics"' in run_actions
    return {"rasa": rasa, "console": console, "dispatcher": dispatcher, "actions": actions}


def test_every_deployment_has_probes_on_real_routes_the_shared_image_and_config() -> None:
    served = routes_served()
    deployments = of_kind("Deployment")
    assert {doc["metadata"]["name"] for doc in deployments} == set(served)
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == IMAGE, name
        assert {"civic-config", "civic-secrets"} == {
            ref.get("configMapRef", ref.get("secretRef"))["name"] for ref in container["envFrom"]}, name
        port = container["ports"][0]["containerPort"]
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(port), name
        assert annotations["prometheus.io/path"] in served[name], name
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["path"] in served[name], (name, probe)
            assert container[probe]["httpGet"]["port"] == "http", (name, probe)
        assert container["livenessProbe"]["httpGet"]["path"] != container["readinessProbe"]["httpGet"]["path"], \
            f"{name}: a database outage must not restart every pod (liveness != readiness)"
        assert deployment["spec"]["selector"]["matchLabels"].items() <= \
            deployment["spec"]["template"]["metadata"]["labels"].items(), name


def test_services_select_deployments_and_the_dispatcher_port_matches_its_setting() -> None:
    deployments = {doc["metadata"]["name"]: doc for doc in of_kind("Deployment")}
    for service in of_kind("Service"):
        assert service["spec"]["selector"]["app.kubernetes.io/name"] in deployments
    dispatcher = deployments["dispatcher"]["spec"]["template"]["spec"]["containers"][0]
    configmap = of_kind("ConfigMap")[0]["data"]
    assert configmap["DISPATCHER_HEALTH_PORT"] == str(dispatcher["ports"][0]["containerPort"])


def test_every_variable_the_deploy_files_set_is_read_by_someone() -> None:
    """A typo in an environment variable name would otherwise pass silently (default used)."""
    known = {name.upper() for name in Settings.__fields__} | NOT_SETTINGS
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    compose_vars = {name for service in compose["services"].values()
                    for name in (service.get("environment") or {})}
    env_example = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
                   if line and not line.startswith("#")}
    assert config_keys() - known == set()
    assert compose_vars - known - {"REDIS_PASSWORD"} == set()
    assert env_example - known - {"REDIS_PASSWORD"} == set()


def test_the_production_endpoints_get_every_variable_in_compose_and_kubernetes() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    assert ENDPOINT_VARS <= set(compose["services"]["rasa"]["environment"])
    assert ENDPOINT_VARS <= config_keys()
    endpoints = yaml.safe_load((DEPLOY / "endpoints.production.yml").read_text())
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"


def test_compose_and_kubernetes_run_the_same_commands() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    for deployment in of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        command = deployment["spec"]["template"]["spec"]["containers"][0]["command"]
        assert compose[name]["command"] == command, name
    job = of_kind("Job")[0]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == compose["migrate"]["command"]


def test_the_image_is_cpython_310_with_the_pinned_dependencies() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.10[-\w.]*$", dockerfile, re.M)
    assert "-c constraints.txt" in dockerfile
    for package in ("bot", "actions", "channels", "console", "components", "scripts"):
        assert f"COPY {package} ./{package}" in dockerfile, package


def test_nginx_routes_to_the_compose_services_and_passes_nginx_t(tmp_path: Path) -> None:
    if not Path(NGINX).exists():
        pytest.skip("Debian nginx is not installed")
    template = (DEPLOY / "nginx.conf").read_text()
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    for upstream in re.findall(r"server (\w+):\d+", template):
        assert upstream in services, upstream
    config = tmp_path / "nginx.conf"
    config.write_text(render_nginx(template, [5005, 5006], 8000, 8080))
    check = subprocess.run(nginx_command(tmp_path, config, "-t"), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_the_kubernetes_ingress_closes_every_webhook_route_nginx_closes() -> None:
    """Both public entry points route /webhooks/ to Rasa; what nginx.conf keeps private under
    it (operator metrics, the REST channel that takes any sender id) the ingress must too."""
    closed = set(re.findall(r"location (/webhooks/\S+) \{ return 404; \}",
                            (DEPLOY / "nginx.conf").read_text()))
    assert {"/webhooks/metrics/", "/webhooks/rest/"} <= closed
    [ingress] = [doc for doc in k8s_documents() if doc["kind"] == "Ingress"]
    snippet = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/server-snippet"]
    assert closed <= set(re.findall(r"location (/webhooks/\S+) \{ return 404; \}", snippet))
