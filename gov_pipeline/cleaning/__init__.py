"""Stage 2, cleaned_documents: bytes to clean text (HTML, PDF, text, markdown), metadata, noise removed."""
