"""Static analysis: find optimization targets and static findings in a buffer."""
