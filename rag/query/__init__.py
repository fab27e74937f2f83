"""Query analysis: references, quoted phrases, spelling and intents, read once per query."""
