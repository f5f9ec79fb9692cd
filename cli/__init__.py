"""The `replybook` command line (typer): thin wrappers around the core services in `replybook`."""
