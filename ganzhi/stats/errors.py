class StatsError(ValueError):
    """Input that a statistical method cannot use (too few rows, constant column, ...).

    The message is one line and names the problem; the CLI prints it and exits 2.
    """
