"""Reporters turn findings and maps into text for people or JSON for machines.

Every reporter returns a string; the CLI scrubs it of known secrets and prints it.
"""
