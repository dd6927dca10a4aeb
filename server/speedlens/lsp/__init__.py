"""The language server: thin LSP handlers over speedlens.engine."""
