"""What every part of replybook shares: engine and sessions, migrations, models, the versioned-item mechanism and history, users and permissions, errors, settings, time."""
