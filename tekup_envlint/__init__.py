"""tekup-envlint: find and fix drifted database configuration in a monorepo."""

__version__ = "0.1.0"
