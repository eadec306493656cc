"""SMS gateway adapter."""
