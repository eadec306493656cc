"""Bundles (一业一证 / 一件事), scenario questions, rules, and the planner."""
