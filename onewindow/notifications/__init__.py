"""Notifications: in-app messages, and SMS and email through the outbox."""
