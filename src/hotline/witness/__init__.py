"""The party witness: ``hotline witness run`` follows a server and cosigns only a log that only grew."""
