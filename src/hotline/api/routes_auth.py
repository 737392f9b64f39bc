"""Login, logout and who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hotline.domain.timefmt import iso

from .client_address import client_address
from .deps import COOKIE, Caller, Service, credential

router = APIRouter(prefix="/api/v1", tags=["auth"])


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_at: str
    username: str
    party: str | None
    role: str


@router.post("/auth/login", response_model=LoginOut, summary="Log in; returns a bearer token and sets the cookie")
async def login(body: LoginIn, request: Request, response: Response, hl: Service) -> LoginOut:
    client = client_address(request, hl.settings.trusted_proxies)
    session = await hl.auth.login(body.username, body.password, client)
    secure = hl.settings.cookie_secure == "true" or (
        hl.settings.cookie_secure == "auto" and request.url.scheme == "https")
    response.set_cookie(COOKIE, session.token, max_age=hl.settings.session_ttl_s, httponly=True,
                        samesite="strict", secure=secure, path="/")
    who = session.principal
    return LoginOut(token=session.token, expires_at=iso(session.expires_at), username=who.username,
                    party=who.party, role=who.role)


@router.post("/auth/logout", status_code=204, summary="Revoke this session")
async def logout(request: Request, response: Response, hl: Service, who: Caller) -> Response:
    token = credential(request)
    if token:
        await hl.auth.logout(token)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/me", summary="The caller: user, party, role, visible channels, and the world's parties")
async def me(who: Caller, hl: Service) -> dict[str, Any]:
    return {"username": who.username, "party": who.party, "role": who.role,
            "channels": sorted(hl.world.channels_of(who.party)), "world": hl.world.describe()}
