"""A file uploaded on /data, kept in the database between its preview and its confirmation,
so that any worker can show or import it. Files older than STAGED_HOURS are removed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select

from data import schema

staged = schema.staged_uploads
STAGED_HOURS = 24
UPLOAD_ID_LENGTH = 32


@dataclass(frozen=True)
class Staged:
    upload_id: str
    file_name: str
    source_system: str
    description: str
    content: bytes


def stage(engine: Engine, tenant_id: str, username: str | None, file_name: str, content: bytes,
          source_system: str, description: str) -> str:
    upload_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(staged).where(staged.c.created_at < now - timedelta(hours=STAGED_HOURS)))
        conn.execute(insert(staged).values(
            upload_id=upload_id, tenant_id=tenant_id, username=username, file_name=file_name,
            source_system=source_system, description=description, content=content, created_at=now))
    return upload_id


def staged_upload(engine: Engine, tenant_id: str, upload_id) -> Staged | None:
    """The tenant's staged file with this id; None for another tenant's or an unknown id."""
    if not isinstance(upload_id, str) or len(upload_id) != UPLOAD_ID_LENGTH or not upload_id.isalnum():
        return None
    query = select(staged.c.upload_id, staged.c.file_name, staged.c.source_system, staged.c.description,
                   staged.c.content).where(staged.c.upload_id == upload_id, staged.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return Staged(*row) if row else None


def discard(engine: Engine, tenant_id: str, upload_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(staged).where(staged.c.upload_id == upload_id, staged.c.tenant_id == tenant_id))
