"""Framework-compatible constructors: each framework's schedule names and keyword arguments,
returning lrlab schedules whose value at step ``t`` equals the framework's.

One module per framework: :mod:`~lrlab.compat.tf1`, :mod:`~lrlab.compat.keras`,
:mod:`~lrlab.compat.torch`, :mod:`~lrlab.compat.optax`, :mod:`~lrlab.compat.tfa`,
:mod:`~lrlab.compat.hf`, :mod:`~lrlab.compat.timm`, :mod:`~lrlab.compat.fastai`.  None of them
imports its framework.  In spec text they are reachable as ``torch.OneCycleLR(...)`` etc.
"""
