"""Who may see and do what: accounts, roles, sessions, limits and the audit log."""
