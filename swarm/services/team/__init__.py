"""Flexible-shell teams: projects and their roles, the role book, the shell-instance export and proposals."""
