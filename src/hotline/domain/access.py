"""Who is acting, and the fail-closed checks on what they may do.

The acting party always comes from the authenticated session: no command carries a party chosen by
the caller. Each policy raises ``Forbidden`` unless it can prove the action is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Forbidden, NotFound
from .events import SYSTEM
from .world import World

__all__ = ["Principal", "HOTLINE", "visible_channel", "require_speaker", "require_role"]


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    party: str | None
    role: str

    @property
    def speaks_for_party(self) -> bool:
        return self.party is not None and self.role in ("operator", "supervisor")


# The hotline itself, for the commands it sends on its own (findings of its engines, desk presence):
# no party, so no party's rule can be met by it by accident.
HOTLINE = Principal(SYSTEM, None, "admin")


def visible_channel(world: World, who: Principal, channel_id: str) -> None:
    """Raise NotFound for a channel that does not exist *or* that the caller may not see.

    Both cases read the same, so an error never tells a party that another party's channel exists.
    """
    if channel_id not in world.channels_of(who.party):
        raise NotFound(f"No channel {channel_id!r} is visible to you.", field="channel_id")


def require_speaker(who: Principal, action: str) -> str:
    """The caller's party, if the caller may act for it (operator or supervisor)."""
    if not who.speaks_for_party or who.party is None:
        raise Forbidden(f"Your role ({who.role}) may not {action}; only a party's operators and supervisors may.")
    return who.party


def require_role(who: Principal, *roles: str, action: str) -> None:
    if who.role not in roles:
        raise Forbidden(f"Your role ({who.role}) may not {action}; it takes one of: {', '.join(roles)}.")
