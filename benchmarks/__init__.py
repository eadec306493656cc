"""Load benchmarks: scripts, settings and URLs that measure the served application."""
