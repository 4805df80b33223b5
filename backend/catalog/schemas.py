"""Response bodies for the responsibility list."""

from __future__ import annotations

from pydantic import BaseModel


class LeadOut(BaseModel):
    text: str
    kind: str
    department: str | None = None
    first: str | None = None
    repeat: str | None = None
    workday_daytime: str | None = None
    aspect: str | None = None
    aspect_lead: str | None = None


class AssistOut(BaseModel):
    role: str
    department: str
    qualifier: str | None = None


class CategoryOut(BaseModel):
    number: int
    name: str
    scope: str
    lead: LeadOut
    assists: list[AssistOut]
    must_solve: str | None = None
