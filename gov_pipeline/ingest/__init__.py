"""Stage 1, raw_documents: list every entry of the input folder and decide how to read it."""
