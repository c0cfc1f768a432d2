"""Cross-script name matching (Arabic ↔ Latin): normalisation, comparable forms, scoring, index."""
