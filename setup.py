"""The wheel also carries the site's top-level templates/, static/ and locale/ (compiled
catalogues included) under convergence/site/, where the settings look when there is no
checkout, and deploy/'s Dovecot templates and SpamAssassin configuration under
convergence/site/deploy/ (`render_dovecot` and the spamd container read them there)."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SITE_FOLDERS = ("templates", "static", "locale")
DEPLOY_FILES = ("*.template", "spamassassin.cf")


class BuildWithSiteFolders(build_py):
    def run(self):
        super().run()
        site = Path(self.build_lib, "convergence", "site")
        for name in SITE_FOLDERS:
            self.copy_tree(name, str(site / name))
        self.mkpath(str(site / "deploy"))
        for pattern in DEPLOY_FILES:
            for path in sorted(Path("deploy").glob(pattern)):
                self.copy_file(str(path), str(site / "deploy" / path.name))


setup(cmdclass={"build_py": BuildWithSiteFolders})
