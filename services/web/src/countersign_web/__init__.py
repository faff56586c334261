"""Countersign's web app: the pages people use. It keeps no business state and acts only
through the services' public APIs, as the signed-in person (ADR 0048, ADR 0049)."""
