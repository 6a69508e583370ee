"""The rule catalogue and pattern data, shipped as package data."""
