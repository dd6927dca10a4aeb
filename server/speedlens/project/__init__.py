"""What speedlens knows of the C++ project around a file: its compile_commands.json and its CMake build.

A data-level package: it reads files and runs nothing untrusted, so every layer may use it.
"""
