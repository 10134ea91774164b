"""The wheel also carries the site's top-level templates/, static/ and locale/ (compiled
catalogues included) under convergence/site/, where the settings look when there is no checkout."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SITE_FOLDERS = ("templates", "static", "locale")


class BuildWithSiteFolders(build_py):
    def run(self):
        super().run()
        for name in SITE_FOLDERS:
            self.copy_tree(name, str(Path(self.build_lib, "convergence", "site", name)))


setup(cmdclass={"build_py": BuildWithSiteFolders})
