"""docker-compose.yml, read, not run (no container runtime where the project is built): it is
valid Compose, and every command, path and variable it uses exists in the image
(deploy/Dockerfile: the wheel, its dependencies, the Debian packages it installs) and in the
settings; the Dovecot configuration its containers render is valid for Dovecot."""

import json
import re
import shlex
import shutil
import socket
import subprocess
import threading
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from kombu import Connection

from convergence.env import backends, endpoints
from devstack.dovecot import DovecotConfig

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SCHEMA = json.loads((BASE_DIR / "tests/fixtures/compose-spec/compose-spec.json").read_text())
DOCKERFILE = (BASE_DIR / "deploy/Dockerfile").read_text()
FINAL_STAGE = DOCKERFILE.rsplit("\nFROM ", 1)[1]
APP_IMAGE = COMPOSE["x-app"]["image"]
SITE_PACKAGES = "/usr/local/lib/python3.12/site-packages/"
SERVICES = COMPOSE["services"]
APP_SERVICES = {name: s for name, s in SERVICES.items() if s.get("image") == APP_IMAGE}
# Read by the image itself, not by the settings.
IMAGE_VARIABLES = {"DJANGO_SETTINGS_MODULE", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}


def _settings_variables() -> set[str]:
    folder = BASE_DIR / "convergence/settings"
    source = "".join(p.read_text() for p in folder.glob("*.py"))
    read = r'\b(?:env|env_bool|env_int|env_list|endpoints|backends)\("(\w+)"'
    # generated.py: setting name → (environment variable, file of the generated value)
    generated = r'\("([A-Z][A-Z0-9_]+)", "\w+"\)'
    return set(re.findall(read, source)) | set(re.findall(generated, source))


def _debian_packages() -> list[str]:
    install = re.search(r"apt-get install -y --no-install-recommends \\?\s*([^&]+)&&",
                        FINAL_STAGE)  # fmt: skip
    return install.group(1).replace("\\", " ").split()


def _commands(service: dict) -> list[list[str]]:
    """The service's command and its health check, as argument lists."""
    commands = [service["command"]] if "command" in service else []
    test = service.get("healthcheck", {}).get("test")
    if test and test[0] == "CMD":
        commands.append(test[1:])
    elif test and test[0] == "CMD-SHELL":
        commands.append(shlex.split(test[1].replace("$$", "$")))
    return commands


def _image_directories() -> set[str]:
    """What the Dockerfile makes, with their parents."""
    made = re.findall(r"mkdir -p ([^&\n]+)", FINAL_STAGE)
    paths = [Path(p) for line in made for p in line.split() if p.startswith("/")]
    return {str(d) for path in paths for d in (path, *path.parents) if str(d) != "/"}


def test_the_file_is_valid_compose():
    validator = jsonschema.Draft7Validator(SCHEMA)  # the schema's own $schema
    validator.validate(COMPOSE)
    broken = {**COMPOSE, "services": {**SERVICES, "web": {**SERVICES["web"], "replica": 2}}}
    assert not validator.is_valid(broken)  # a misspelt key is caught


def test_the_image_holds_dovecot_2_3_and_spamd():
    assert FINAL_STAGE.startswith("python:3.12-slim-bookworm")  # Dovecot 2.3, the templates'
    assert SITE_PACKAGES.split("/")[4] == "python3.12"
    packages = _debian_packages()
    assert {"dovecot-imapd", "dovecot-lmtpd", "dovecot-pgsql", "dovecot-fts-xapian",
            "spamd"} <= set(packages)  # fmt: skip
    for package in packages:  # they exist (this machine is Debian bookworm too)
        assert subprocess.run(["apt-cache", "show", package], capture_output=True,
                              check=False).returncode == 0, package  # fmt: skip


def _executable_in_image(program: str) -> bool:
    scripts = {entry.name for entry in entry_points(group="console_scripts")}
    if program == "python" or program in {"django-admin", "gunicorn", "celery"} & scripts:
        return True
    path = shutil.which(program)
    if not path:
        return False
    owner = subprocess.run(["dpkg", "-S", str(Path(path).resolve())], capture_output=True,
                           text=True, check=False).stdout.split(":")[0]  # fmt: skip
    return owner in _debian_packages() or owner in {"dovecot-core", "spamassassin"}


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_every_command_exists_in_the_image(name, wheel_files):
    for command in _commands(APP_SERVICES[name]):
        program, arguments = command[0], command[1:]
        assert _executable_in_image(program), f"{name}: {program}"
        if program == "django-admin":
            app = get_commands().get(arguments[0])
            assert app, f"{name}: no command {arguments[0]}"
            origin = Path(find_spec(app).origin)
            if origin.is_relative_to(BASE_DIR) and ".venv" not in origin.parts:  # ours
                command = f"{app.replace('.', '/')}/management/commands/{arguments[0]}.py"
                assert command in wheel_files, command
        if program == "python":
            module = arguments[arguments.index("-m") + 1]
            assert find_spec(module), module
            local = f"{module.replace('.', '/')}.py"
            assert local in wheel_files or module == "radicale", module
        if program in ("celery", "gunicorn"):
            target = arguments[1] if program == "celery" else arguments[0].split(":")[0]
            assert find_spec(f"{target}.celery" if program == "celery" else target), target
        for argument in arguments:
            if SITE_PACKAGES in argument:
                assert argument.split(SITE_PACKAGES)[1] in wheel_files, argument


def test_every_path_is_made_by_the_image_or_mounted_from_the_checkout():
    directories = _image_directories() | {"/app/var"}
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("./"):
                assert (BASE_DIR / source).is_file(), f"{name}: {source}"
            elif service.get("image") == APP_IMAGE:
                assert source in COMPOSE["volumes"], f"{name}: {source}"
                assert any(target == d or target.startswith(f"{d}/") for d in directories), \
                    f"{name}: {target}"  # fmt: skip
    environment = COMPOSE["x-app"]["environment"]
    image_env = dict(re.findall(r"(\w+)=(/\S+)", FINAL_STAGE.split("COPY --from")[0]))
    for variable in ("DOVECOT_DIR", "SPAMD_DIR"):
        assert image_env[variable] in directories and variable not in environment, variable
    # No shared disk: what a gateway accepts and a web node stores, any worker reads from
    # the database. The workers mount Radicale's volume only, for the invitations' copies,
    # which a worker without it writes over HTTP (RADICALE_COLLECTIONS left out).
    for name in ("web", "gateway"):
        assert not SERVICES[name].get("volumes"), name
    assert SERVICES["worker"]["volumes"] == SERVICES["radicale"]["volumes"]


def test_every_variable_is_read_by_the_settings():
    known = _settings_variables() | IMAGE_VARIABLES
    for name, service in APP_SERVICES.items():
        unknown = set(service["environment"]) - known
        assert not unknown, f"{name}: {sorted(unknown)}"
    readme = (BASE_DIR / "README.md").read_text()
    deployment = readme.split("## Déploiement", 1)[1].split("\n## ", 1)[0]
    raw = (BASE_DIR / "docker-compose.yml").read_text()
    for variable in set(re.findall(r"\$\{(\w+)", raw)):
        assert f"`{variable}`" in deployment, f"{variable} is not in the README's «Déploiement»"


def test_health_checks_and_start_order_agree():
    for name, service in SERVICES.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in SERVICES, f"{name} → {target}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{name} waits for {target}"
    for name in ("web", "gateway", "worker"):
        assert SERVICES[name]["deploy"]["replicas"] == 2
        assert "ports" not in SERVICES[name], f"{name}: its replicas are behind the lb"
    haproxy = (BASE_DIR / "deploy/haproxy.cfg").read_text()
    assert "web:8000" in haproxy and "gateway:2525" in haproxy


def test_the_apps_reach_dovecot_through_the_proxy_and_the_proxy_its_backends():
    environment = COMPOSE["x-app"]["environment"]
    assert "LMTP_SOCKET" not in environment
    proxy = SERVICES["dovecot-proxy"]
    assert proxy["command"][-3:] == ["--role", "proxy", "--exec"]
    for variable, port in (("IMAP_HOSTS", "IMAP_PORT"), ("LMTP_HOSTS", "LMTP_PORT")):
        (host, number), = _parse(endpoints, variable, environment[variable])
        assert host == "dovecot-proxy" and str(number) == proxy["environment"][port]
    stores = _parse(backends, "DOVECOT_BACKENDS", environment["DOVECOT_BACKENDS"])
    assert len(stores) == 2
    volumes = set()
    for _, host, imap, lmtp in stores:
        service = SERVICES[host]
        assert service["command"][-3:] == ["--role", "backend", "--exec"]
        assert (str(imap), str(lmtp)) == (service["environment"]["IMAP_PORT"],
                                          service["environment"]["LMTP_PORT"])  # fmt: skip
        volumes |= set(service["volumes"])
    assert len(volumes) == 2, "each backend has its own Maildirs"


def test_rabbitmq_is_an_option_under_its_profile():
    """Redis is the broker unless CELERY_BROKER_URL says otherwise; the `rabbitmq` profile
    starts RabbitMQ, the apps wait for it only then, and the URL the file gives names it."""
    rabbitmq = SERVICES["rabbitmq"]
    assert rabbitmq["profiles"] == ["rabbitmq"]
    assert [name for name, service in SERVICES.items() if "profiles" in service] == ["rabbitmq"]
    assert "rabbitmq-data" in COMPOSE["volumes"] and "healthcheck" in rabbitmq
    broker = COMPOSE["x-app"]["environment"]["CELERY_BROKER_URL"]
    assert broker == "${CELERY_BROKER_URL:-redis://redis:6379/0}"
    assert Connection(broker.split(":-", 1)[1].rstrip("}")).transport_cls == "redis"
    for name, service in APP_SERVICES.items():  # those that reach the broker
        if "redis" in service.get("depends_on", {}):
            assert service["depends_on"]["rabbitmq"] == {"condition": "service_healthy",
                                                         "required": False}, name  # fmt: skip
    raw = (BASE_DIR / "docker-compose.yml").read_text()
    (documented,) = re.findall(r"CELERY_BROKER_URL=(amqp://\S+)", raw)
    url = Connection(documented.replace("${RABBITMQ_PASSWORD}", "secret"))
    environment = rabbitmq["environment"]
    assert (url.transport_cls, url.hostname, url.port) == ("amqp", "rabbitmq", 5672)
    assert url.userid == environment["RABBITMQ_DEFAULT_USER"]
    assert url.virtual_host == environment["RABBITMQ_DEFAULT_VHOST"]
    assert environment["RABBITMQ_DEFAULT_PASS"].startswith("${RABBITMQ_PASSWORD")
    readme = (BASE_DIR / "README.md").read_text()
    assert documented in readme.split("## Déploiement", 1)[1].split("\n## ", 1)[0]


def _parse(parser, name, value):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(name, value)
        return parser(name, []) if parser is endpoints else parser(name)


@pytest.mark.parametrize("role", ["backend", "proxy"])
def test_the_rendered_dovecot_configuration_is_valid(role, tmp_path):
    """What the containers render from the compose file's values, read by doveconf."""
    environment = SERVICES[f"dovecot-{'proxy' if role == 'proxy' else 'b1'}"]["environment"]
    url = environment["DATABASE_URL"].replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "x")
    config = DovecotConfig(
        base_dir=tmp_path / role, imap_port=int(environment["IMAP_PORT"]),
        lmtp_port=int(environment["LMTP_PORT"]), listen=environment["DOVECOT_LISTEN"],
        database=dj_database_url.parse(url), master_user=environment["DOVECOT_MASTER_USER"],
        master_secret="secret", role=role,
        trusted_networks=tuple(environment["DOVECOT_TRUSTED_NETWORKS"].split(",")),
        backends=tuple(_parse(backends, "DOVECOT_BACKENDS", environment["DOVECOT_BACKENDS"])),
        auth_policy_url=environment["DOVECOT_AUTH_POLICY_URL"], auth_policy_token="t",
    )  # fmt: skip
    path = config.render()
    checked = subprocess.run(["doveconf", "-n", "-c", str(path)], capture_output=True,
                             text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "port = 24" in checked.stdout
    if role == "proxy":
        sql = (tmp_path / role / "dovecot-sql-proxy.conf.ext").read_text()
        assert "'dovecot-b2' AS host" in sql and "host=postgres" in sql


def test_the_health_probes_pass_and_fail(live_server):
    """devstack.probe, as the health checks run it: a greeting, a page, nothing listening."""
    from devstack import probe

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = str(server.getsockname()[1])
        greeter = threading.Thread(target=lambda: server.accept()[0].sendall(b"220 ok\r\n"))
        greeter.start()
        assert probe.main(["banner", "127.0.0.1", port, "220"]) == 0
        greeter.join()
    assert probe.main(["banner", "127.0.0.1", port, "220"]) == 1  # closed now
    assert probe.main(["tcp", "127.0.0.1", port]) == 1
    assert probe.main(["http", f"{live_server.url}/comptes/login/"]) == 0
    assert probe.main(["http", f"{live_server.url}/pas-une-page/"]) == 1
    assert probe.main(["banner", "127.0.0.1"]) == 2


def test_render_dovecot_writes_what_doveconf_accepts(settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.DOVECOT_DIR = tmp_path / "proxy"
    settings.DOVECOT_BACKENDS = []
    with pytest.raises(CommandError, match="DOVECOT_BACKENDS"):
        call_command("render_dovecot", "--role", "proxy")
    settings.DOVECOT_BACKENDS = [("b1", "10.0.0.1", 143, 24), ("b2", "10.0.0.2", 143, 24)]
    settings.LMTP_PORT = 2424
    for role in ("proxy", "backend"):
        settings.DOVECOT_DIR = tmp_path / role
        call_command("render_dovecot", "--role", role)
        path = tmp_path / role / "dovecot.conf"
        checked = subprocess.run(["doveconf", "-n", "-c", str(path)], capture_output=True,
                                 text=True, check=False)  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        assert "port = 2424" in checked.stdout
    assert (tmp_path / "backend" / "master-users").exists()
    assert not (tmp_path / "proxy" / "master-users").exists()


def test_behind_the_load_balancer_the_client_address_is_the_reverse_proxys(rf, settings):
    from accounts.mfa_policy import client_ip

    header = COMPOSE["x-app"]["environment"]["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"]
    request = rf.get("/", REMOTE_ADDR="172.28.0.5", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "172.28.0.5"  # the balancer, without the setting
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = header
    assert client_ip(request) == "203.0.113.9"
