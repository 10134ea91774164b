"""The wheel (conftest.py's `wheel_files`) holds every app of INSTALLED_APPS with its modules,
templates, static files and compiled catalogues, and the demo data: the Docker image installs
that wheel and nothing else."""

from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Packages the shipped management commands import besides the apps (seed_demo, rundev), and
# the URL map's error and public-notice pages.
SUPPORT_PACKAGES = ["demo", "devstack", "pages"]
SITE_FOLDERS = ("templates", "static", "locale")
def _shipped_directories() -> list[Path]:
    local_apps = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(BASE_DIR)
        # a virtualenv inside the checkout holds installed apps, not ours
        and "site-packages" not in Path(config.path).parts
    ]
    return [*local_apps, *(BASE_DIR / name for name in SUPPORT_PACKAGES)]


def _needed_at_run_time(path: Path) -> bool:
    """Modules, templates, static files, compiled catalogues and data files (demo/data/, and
    an app's *_data/ folders: the demo académie, the school holidays)."""
    parts = path.parts
    return (
        path.suffix == ".py"
        or "templates" in parts
        or "static" in parts
        or path.suffix == ".mo"
        or (parts[0] == "demo" and "data" in parts)
        or any(part.endswith("_data") for part in parts[:-1])
    )


def _site_files() -> dict[str, str]:
    """The top-level templates/, static/ and locale/ (compiled), by their place in the wheel."""
    return {
        path.relative_to(
            BASE_DIR
        ).as_posix(): f"convergence/site/{path.relative_to(BASE_DIR).as_posix()}"
        for name in SITE_FOLDERS
        for path in (BASE_DIR / name).rglob("*")
        if path.is_file() and (name != "locale" or path.suffix == ".mo")
    }


def _expected_files() -> set[str]:
    files = (
        path.relative_to(BASE_DIR)
        for directory in _shipped_directories()
        for path in directory.rglob("*")
        if path.is_file()
    )
    return {
        file.as_posix()
        for file in files
        if "__pycache__" not in file.parts and _needed_at_run_time(file)
    } | set(_site_files().values())


def test_every_app_is_a_local_directory_of_the_checkout():
    names = {directory.name for directory in _shipped_directories()}
    assert {"convergence", "accounts", "directory", "mail", "calendar_app"} <= names
    assert {"shared_mailboxes", "notifications", "demo", "devstack"} <= names


def test_wheel_holds_every_app_with_its_templates_static_files_and_catalogues(wheel_files):
    missing = sorted(_expected_files() - wheel_files)
    assert not missing, f"{len(missing)} files missing from the wheel, first: {missing[:10]}"


def test_every_catalogue_is_compiled_into_the_wheel(wheel_files):
    catalogues = [
        path.relative_to(BASE_DIR).with_suffix(".mo").as_posix()
        for directory in _shipped_directories()
        for path in directory.rglob("locale/*/LC_MESSAGES/*.po")
    ]
    site = _site_files()
    assert "convergence/site/locale/fr/LC_MESSAGES/django.mo" in site.values(), "make messages"
    catalogues += [site[name] for name in site if name.startswith("locale/")]
    assert not [name for name in catalogues if name not in wheel_files], "run `make messages`"


def test_wheel_holds_the_dovecot_templates_and_spamassassin_configuration(wheel_files):
    """`render_dovecot` and the spamd container read them from the installed wheel."""
    deploy = BASE_DIR / "deploy"
    expected = [*deploy.glob("*.template"), deploy / "spamassassin.cf"]
    assert len(expected) >= 6
    missing = [p.name for p in expected if f"convergence/site/deploy/{p.name}" not in wheel_files]
    assert not missing, missing


def test_wheel_holds_no_tests_or_development_state(wheel_files):
    assert not [name for name in wheel_files if name.startswith(("tests/", "var/", "bench/"))]
