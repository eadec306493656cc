"""Departments, regions, service items with their guides, and the material and field catalogues."""
