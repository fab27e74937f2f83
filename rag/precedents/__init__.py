"""Precedents: the existing clauses a draft clause repeats, rewords or builds on."""
