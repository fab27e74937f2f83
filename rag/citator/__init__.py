"""The citator: references between instruments, who cites what, and the versions of a text."""
