"""Users, roles, and department and centre membership."""
