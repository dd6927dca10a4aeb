"""Statistics behind every reported number: conformal bounds and correctness confidence."""
