"""Who may do what: password and token secrets, and the access policy."""
