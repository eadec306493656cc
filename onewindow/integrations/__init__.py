"""Adapters to outside systems, each with a working local implementation."""
