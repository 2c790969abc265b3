"""Operations the pages need that the backend's services do not offer (yet).

They build on the backend's ORM models and services; each is small so it can move into
``records_backend.services`` later.
"""
