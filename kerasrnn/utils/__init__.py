"""Small helpers shared across kerasrnn that belong to no one subpackage (argument checks)."""
