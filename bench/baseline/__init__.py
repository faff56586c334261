"""The pipeline's hops without its business logic, for the pipeline benchmark's ratio."""
