"""speedlens: find verified speedups in C++ and TVM-script code."""

__version__ = "0.1.0"
