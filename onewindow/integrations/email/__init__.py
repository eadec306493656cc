"""Email gateway adapter."""
