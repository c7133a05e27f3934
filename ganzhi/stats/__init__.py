"""Pure statistics for Ganzhi: no Django imports, numpy/scipy only.

Every public function documents its formula and reference. Errors on bad input
raise :class:`ganzhi.stats.errors.StatsError` with a one-line message naming the
problem; nothing returns a silent NaN.
"""
