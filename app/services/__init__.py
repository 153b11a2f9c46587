"""Service layer: the only place that opens transactions and writes to the database."""
