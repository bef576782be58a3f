"""Flask-WTF forms, one module per actor. Every form carries a CSRF token."""
