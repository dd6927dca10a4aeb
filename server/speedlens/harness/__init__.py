"""Generated differential harnesses: a function in a library becomes a program the program verifier can judge.

The driver reads a seed and a repetition count, builds argument tuples with type-directed generators, calls the
function and prints the return value and every argument it may have written. The original's driver is the oracle,
the candidate's driver the candidate program (ARCHITECTURE.md, "Adapters").
"""
