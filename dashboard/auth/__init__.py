"""Who may use the dashboard: the users file, login throttling and the signed-in session."""
