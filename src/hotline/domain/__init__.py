"""Pure rules of the hotline: who may do what, and which events a command produces.

Nothing here does I/O, reads a clock or touches a database: callers pass state and ``now``.
"""
