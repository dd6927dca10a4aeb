"""User-facing errors: each says what went wrong and how to fix it (CLI exit code 2, LSP warning)."""


class SpeedlensError(Exception):
    """An input or setup problem the user can fix; ``hint`` says how."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


class ConfigError(SpeedlensError):
    """speedlens.toml or editor settings are malformed."""


class InputError(SpeedlensError):
    """A file, test directory or toolchain the run needs is missing or unusable."""
