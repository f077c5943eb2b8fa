"""Partitioning: place every op of a model on one of several targets, counting transfers between them."""
