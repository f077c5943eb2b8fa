"""No Python op classes for the `torch` dialect: found once instead of searched for every op (see __init__)."""
