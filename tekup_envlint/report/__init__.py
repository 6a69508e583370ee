"""Reporters turn findings and maps into text for people or JSON for machines.

Every reporter returns a string for the CLI to print. Finding messages arrive already
scrubbed of secrets by the engine; the text reporter scrubs its code frames itself.
"""
