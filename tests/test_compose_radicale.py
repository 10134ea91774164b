"""docker-compose.yml's Radicale and the settings agree: the plugins `make run` configures, the
web app and worker pointed at that service, and the master login accepted from the project's
network only (no Docker where the project is built: the file is read, not run)."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.conf import settings
from radicale.config import DEFAULT_CONFIG_SCHEMA

from devstack.radicale import CONFIG

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def _options(command: list[str]) -> dict[tuple[str, str], str]:
    """``--auth-type=x`` as {("auth", "type"): "x"}, each checked against Radicale's schema."""
    options = {}
    for argument in command[3:]:
        name, _, value = argument.removeprefix("--").partition("=")
        if name == "config":
            continue
        section, option = next((s, name[len(s) + 1:].replace("-", "_"))
                               for s in DEFAULT_CONFIG_SCHEMA if name.startswith(f"{s}-"))
        assert option in DEFAULT_CONFIG_SCHEMA[section], argument
        options[(section, option)] = value
    return options


def test_radicale_runs_with_the_plugins_of_make_run():
    service = COMPOSE["services"]["radicale"]
    assert service["command"][:3] == ["python", "-m", "radicale"]
    options = _options(service["command"])
    for section in ("auth", "rights", "hook", "storage"):
        assert f"[{section}]\ntype = {options[(section, 'type')]}" in CONFIG
    assert options[("web", "type")] == "none" and options[("auth", "delay")] == "0"
    assert options[("storage", "filesystem_folder")].startswith(service["volumes"][0]
                                                                 .split(":")[1])  # fmt: skip


def test_the_apps_reach_that_radicale_as_master_from_their_network_only():
    environment = COMPOSE["x-app"]["environment"]
    port = _options(COMPOSE["services"]["radicale"]["command"])[("server", "hosts")].split(":")[1]
    assert environment["CALDAV_URL"] == f"http://radicale:{port}/"
    assert all(name in dir(settings) for name in environment if name.startswith("CALDAV_"))
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert environment["CALDAV_MASTER_NETWORKS"] == subnet
    for service in ("web", "beat"):  # the YAML anchor, merged
        assert COMPOSE["services"][service]["environment"] == environment
    # The worker writes invitations' copies into Radicale's folder, on the same volume.
    radicale, worker = COMPOSE["services"]["radicale"], COMPOSE["services"]["worker"]
    folder = _options(radicale["command"])[("storage", "filesystem_folder")]
    assert worker["environment"] == {**environment, "RADICALE_COLLECTIONS": folder}
    assert worker["volumes"] == radicale["volumes"]
    # Radicale's plugins take their connections from a pool, as under make run.
    assert COMPOSE["services"]["radicale"]["environment"] == {**environment,
                                                               "DATABASE_POOL": "true"}
    assert "radicale" in COMPOSE["services"]["web"]["depends_on"]


@pytest.mark.parametrize(("address", "proxied", "networks", "allowed"), [
    ("127.0.0.1", None, None, True),
    ("127.0.0.1", "203.0.113.9", None, False),  # through the /dav/ proxy: never
    ("172.28.0.7", None, None, False),  # another host, by default
    ("172.28.0.7", None, ["172.28.0.0/16"], True),  # compose's network, when named
    ("172.29.0.7", None, ["172.28.0.0/16"], False),
    ("pas-une-adresse", None, None, False),
])  # fmt: skip
def test_the_master_login_comes_only_from_the_named_networks(address, proxied, networks,
                                                             allowed, prof, settings):
    from radicale import config

    from dav.credentials import master_login
    from dav.radicale_auth import Auth

    if networks:
        settings.CALDAV_MASTER_NETWORKS = networks
    configuration = config.load()
    configuration.update({"auth": {"type": "dav.radicale_auth", "delay": "0"}}, "test")
    context = SimpleNamespace(remote_addr=address, x_remote_addr=proxied)
    user, groups = Auth(configuration)._login_ext_with_groups(
        master_login("prof.demo"), settings.CALDAV_MASTER_SECRET, context)
    assert (user == "prof.demo") is allowed
    assert bool(groups) is allowed
