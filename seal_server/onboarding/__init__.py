"""The owner's application: identity, documents, business and proof of domain ownership."""
