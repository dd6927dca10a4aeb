"""Isolated compile, run and timing of untrusted code."""
