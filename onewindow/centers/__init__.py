"""Service centres: the municipal centre and township halls."""
