"""``research doctor``: checks of settings and services, each a :class:`~.check.Check`."""
