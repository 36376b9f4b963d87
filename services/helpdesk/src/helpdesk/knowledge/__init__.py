"""The knowledge base: articles per service and language, public or internal, found by search."""
