"""The record: canonical encoding, hash chains and their verification.

Pure and dependency-light on purpose: an auditor should be able to read this package in one
sitting and run it on an exported file without a server or a database.
"""
