"""PIE-format corpus of slow->fast pairs and the BM25 index that retrieves examples from it."""
