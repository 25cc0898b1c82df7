"""The package version, in one place (the package, its clients and the dataset card report it)."""

__version__ = "0.1.0"
