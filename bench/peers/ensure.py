"""Imports a module, installing its PyPI package with pip on first use (the peer scripts' one
way to get their dependencies; stdout of pip goes to stderr so the scripts' JSON stays clean)."""
import importlib
import subprocess
import sys


def ensure(module, package):
    try:
        return importlib.import_module(module)
    except ImportError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", package],
            check=True,
            stdout=sys.stderr,
        )
        importlib.invalidate_caches()
        return importlib.import_module(module)
