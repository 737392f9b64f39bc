"""Which roles may call which route: the one table the API consults before any route runs.

Every route the app serves has a row, keyed by (method, path template); a route without a row is
refused for everyone (fail closed) and tests/api/test_authz_matrix.py fails. The row is the coarse
gate by role; the domain still decides the finer rules (whose channel, which state, own party or the
mediator), so a role named here may still be refused there, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from hotline.domain.access import Principal
from hotline.domain.errors import Forbidden
from hotline.domain.world import ROLES

__all__ = ["Rule", "POLICY", "PUBLIC", "ANY", "SPEAKERS", "SUPERVISORS", "TRANSLATING", "rule_for", "check"]


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[str]
    public: bool = False  # answered without a session (login, health, the console's files)

    def allows(self, role: str) -> bool:
        return self.public or role in self.roles


ANY = Rule(frozenset(ROLES))  # reading: the domain shows each caller only its own channels
SPEAKERS = Rule(frozenset({"operator", "supervisor"}))  # acting for a party
SUPERVISORS = Rule(frozenset({"supervisor"}))  # binding acts: zones, findings, commitments, keys
TRANSLATING = Rule(frozenset({"translator", "operator", "supervisor"}))
PUBLIC = Rule(frozenset(), public=True)

_V = "/api/v1"
POLICY: dict[tuple[str, str], Rule] = {
    # -- not under a session: the metrics route checks its own scrape token
    ("GET", "/"): PUBLIC, ("GET", "/docs"): PUBLIC, ("GET", "/metrics"): PUBLIC, ("GET", "/healthz"): PUBLIC,
    ("POST", f"{_V}/auth/login"): PUBLIC,
    ("POST", f"{_V}/auth/logout"): ANY, ("GET", f"{_V}/me"): ANY,
    # -- messages and events
    ("GET", f"{_V}/channels"): ANY,
    ("GET", f"{_V}/channels/{{channel_id}}/messages"): ANY,
    ("POST", f"{_V}/channels/{{channel_id}}/messages"): SPEAKERS,
    ("GET", f"{_V}/messages/awaiting"): ANY,
    ("GET", f"{_V}/messages/{{message_id}}"): ANY,
    ("POST", f"{_V}/messages/{{message_id}}/ack"): SPEAKERS,
    ("POST", f"{_V}/messages/{{message_id}}/recall"): SPEAKERS,  # the domain: only the sending party
    ("GET", f"{_V}/events"): ANY,
    ("WS", f"{_V}/stream"): ANY,
    # -- the live picture: tracks, sightings, CAP feed of findings
    ("POST", f"{_V}/tracks/positions"): SPEAKERS,
    ("GET", f"{_V}/tracks"): ANY,
    ("GET", f"{_V}/tracks/history"): ANY,
    ("POST", f"{_V}/sightings"): SPEAKERS,
    ("GET", f"{_V}/sightings"): ANY,
    ("GET", f"{_V}/sightings/{{sighting_id}}"): ANY,
    ("GET", f"{_V}/cap/findings.atom"): ANY,
    ("GET", f"{_V}/cap/findings/{{finding_id}}.xml"): ANY,
    # -- incidents
    ("GET", f"{_V}/incidents/rules"): ANY,
    ("POST", f"{_V}/incidents"): SPEAKERS,
    ("GET", f"{_V}/incidents"): ANY,
    ("GET", f"{_V}/incidents/awaiting"): ANY,
    ("GET", f"{_V}/incidents/{{incident_id}}"): ANY,
    ("POST", f"{_V}/incidents/{{incident_id}}/ack"): SPEAKERS,
    ("POST", f"{_V}/incidents/{{incident_id}}/questions"): SPEAKERS,
    ("POST", f"{_V}/incidents/{{incident_id}}/questions/{{question_id}}/answer"): SPEAKERS,
    ("POST", f"{_V}/incidents/{{incident_id}}/review"): SUPERVISORS,
    ("POST", f"{_V}/incidents/{{incident_id}}/findings"): SUPERVISORS,
    ("POST", f"{_V}/incidents/{{incident_id}}/findings/{{finding_id}}/agree"): SUPERVISORS,
    ("POST", f"{_V}/incidents/{{incident_id}}/dispute"): SUPERVISORS,
    ("POST", f"{_V}/incidents/{{incident_id}}/evidence"): SPEAKERS,
    ("GET", f"{_V}/incidents/{{incident_id}}/evidence/{{sha256}}"): ANY,
    # -- disputes
    ("POST", f"{_V}/disputes"): SPEAKERS,
    ("GET", f"{_V}/disputes"): ANY,
    ("GET", f"{_V}/disputes/{{dispute_id}}"): ANY,
    ("POST", f"{_V}/disputes/{{dispute_id}}/positions"): SPEAKERS,
    ("POST", f"{_V}/disputes/{{dispute_id}}/proposals"): SPEAKERS,
    ("POST", f"{_V}/disputes/{{dispute_id}}/proposals/{{proposal_id}}/accept"): SUPERVISORS,
    ("POST", f"{_V}/disputes/{{dispute_id}}/escalate"): SPEAKERS,
    ("POST", f"{_V}/disputes/{{dispute_id}}/refer"): SUPERVISORS,
    # -- talks and commitments
    ("GET", f"{_V}/talks"): ANY,
    ("POST", f"{_V}/talks/rounds"): SUPERVISORS,
    ("POST", f"{_V}/talks/rounds/{{round_id}}/understandings"): SUPERVISORS,
    ("POST", f"{_V}/talks/understandings/{{understanding_id}}/commitments"): SUPERVISORS,
    ("GET", f"{_V}/commitments/{{commitment_id}}"): ANY,
    ("POST", f"{_V}/commitments/{{commitment_id}}/status"): SPEAKERS,
    ("GET", f"{_V}/workstreams"): ANY,
    ("GET", f"{_V}/reports/summary"): ANY,
    ("GET", f"{_V}/reports/summary.csv"): ANY,
    # -- witnesses
    ("GET", f"{_V}/witness/server-key"): ANY,
    ("GET", f"{_V}/witness/channels/{{channel_id}}/checkpoint"): ANY,
    ("GET", f"{_V}/witness/channels/{{channel_id}}/checkpoints"): ANY,
    ("GET", f"{_V}/witness/channels/{{channel_id}}/consistency"): ANY,
    ("GET", f"{_V}/witness/events/{{seq}}/inclusion"): ANY,
    ("GET", f"{_V}/witness/events/{{seq}}/agreement"): ANY,
    ("POST", f"{_V}/witness/channels/{{channel_id}}/cosignatures"): SPEAKERS,
    ("GET", f"{_V}/witness/channels/{{channel_id}}/agreed"): ANY,
    ("GET", f"{_V}/witness/agreed"): ANY,
    ("GET", f"{_V}/witness/keys"): ANY,
    ("POST", f"{_V}/witness/parties/{{party}}/keys"): SUPERVISORS,
    ("DELETE", f"{_V}/witness/parties/{{party}}/keys/{{key_id}}"): SUPERVISORS,
    ("POST", f"{_V}/witness/channels/{{channel_id}}/alarms"): SPEAKERS,
    # -- deconfliction: an agreed zone is a binding line, so proposing and deciding are supervisors' acts
    ("GET", f"{_V}/zones"): ANY,
    ("GET", f"{_V}/zones/{{zone_id}}"): ANY,
    ("POST", f"{_V}/zones/proposals"): SUPERVISORS,
    ("POST", f"{_V}/zones/import"): SUPERVISORS,
    ("POST", f"{_V}/zones/{{zone_id}}/proposals/{{proposal_id}}/accept"): SUPERVISORS,
    ("POST", f"{_V}/zones/{{zone_id}}/proposals/{{proposal_id}}/reject"): SUPERVISORS,
    ("GET", f"{_V}/gazetteer"): ANY,
    ("GET", f"{_V}/geo/convert"): ANY,
    ("POST", f"{_V}/notices"): SPEAKERS,
    ("POST", f"{_V}/notices/check"): SPEAKERS,
    ("GET", f"{_V}/notices"): ANY,
    ("GET", f"{_V}/notices/{{notice_id}}"): ANY,
    ("POST", f"{_V}/notices/{{notice_id}}/ack"): SPEAKERS,
    ("POST", f"{_V}/notices/{{notice_id}}/query"): SPEAKERS,
    ("POST", f"{_V}/notices/{{notice_id}}/answer"): SPEAKERS,
    ("POST", f"{_V}/notices/{{notice_id}}/object"): SPEAKERS,
    ("POST", f"{_V}/notices/{{notice_id}}/withdraw"): SPEAKERS,
    ("GET", f"{_V}/findings"): ANY,
    ("GET", f"{_V}/findings/{{finding_id}}"): ANY,
    ("POST", f"{_V}/findings/{{finding_id}}/ack"): SPEAKERS,
    ("GET", f"{_V}/map/config"): ANY,
    # -- desks and the line
    ("GET", f"{_V}/desks"): ANY,
    ("GET", f"{_V}/desks/roster"): ANY,
    ("POST", f"{_V}/desks/{{desk}}/shifts"): SUPERVISORS,
    ("DELETE", f"{_V}/desks/{{desk}}/shifts/{{shift_id}}"): SUPERVISORS,
    ("POST", f"{_V}/desks/{{desk}}/sign-on"): SPEAKERS,
    ("POST", f"{_V}/desks/{{desk}}/sign-off"): SPEAKERS,
    ("GET", f"{_V}/desks/{{desk}}/handover/items"): ANY,
    ("POST", f"{_V}/desks/{{desk}}/handover"): SPEAKERS,
    ("POST", f"{_V}/desks/{{desk}}/handover/{{handover_id}}/ack"): SPEAKERS,
    ("POST", f"{_V}/desks/{{desk}}/linktests/{{test_id}}/answer"): SPEAKERS,
    ("POST", f"{_V}/line/level"): SPEAKERS,  # the domain: a party's supervisor, or the mediator's officers
    ("POST", f"{_V}/line/suspend"): SUPERVISORS,
    ("POST", f"{_V}/line/resume"): SUPERVISORS,
    # -- notifications and translations
    ("GET", f"{_V}/deliveries"): ANY,
    ("GET", f"{_V}/translations/queue"): ANY,
    ("GET", f"{_V}/messages/{{message_id}}/translations"): ANY,
    ("POST", f"{_V}/messages/{{message_id}}/translations"): TRANSLATING,
    ("POST", f"{_V}/translations/{{translation_id}}/check"): TRANSLATING,
    ("POST", f"{_V}/translations/{{translation_id}}/certify"): SUPERVISORS,
}


def rule_for(method: str, path: str) -> Rule | None:
    return POLICY.get((method, path))


def check(conn: HTTPConnection, who: Principal) -> None:
    """Refuse ``who`` unless the route being served has a row that admits the caller's role."""
    route = conn.scope.get("route")
    template = getattr(route, "path", None)
    method = "WS" if conn.scope["type"] == "websocket" else conn.scope["method"]
    rule = rule_for("GET" if method == "HEAD" else method, str(template))
    if rule is None:
        raise Forbidden("This route has no access rule, so nobody may call it.")
    if not rule.allows(who.role):
        allowed = ", ".join(sorted(rule.roles)) or "nobody"
        raise Forbidden(f"Your role ({who.role}) may not call {method} {template}; it is for: {allowed}. "
                        "Ask someone in one of those roles.")
