"""Column types that behave the same on SQLite and PostgreSQL (migrations name them here)."""

from sijill.dbtypes import UTCDateTime as UTCDateTime
from sijill.dbtypes import utcnow as utcnow
