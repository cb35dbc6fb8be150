"""Builds the long-lived objects at start-up: issuing, verifier, outbound fetcher."""
