"""Reaching people off the console: escalation steps become e-mails and signed webhooks, every attempt
logged. ``dispatcher.Notifier`` is the worker; the other modules are its parts."""

from .dispatcher import Notifier

__all__ = ["Notifier"]
