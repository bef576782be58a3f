"""People: accounts and logins, professionals and their own data, privacy (see, download, erase) and the
retention of inactive profiles."""
