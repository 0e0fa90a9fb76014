"""Combinator examples (warmup, join, clamp, shift, repeat, per_epoch, product, scale)."""

_SD = "step_decay(0.1, step_size=5, gamma=0.5)"
_MS = "multistep(0.1, milestones=[30, 60], gamma=0.1)"
_PW = "piecewise(boundaries=[3, 8], values=[0.3, 0.2, 0.1])"

CASES = [
    # warmup
    "warmup(constant(0.1), steps=10)",
    "warmup(constant(0), steps=5)",
    f"warmup({_SD}, steps=7.5, start=0.01, shape='cosine')",
    "warmup(constant(0.1), steps=100, start=0.0001, shape='exponential')",
    f"warmup({_SD}, steps=20, start=0.2, shape='exponential', peak=0.05)",
    f"warmup({_SD}, steps=12, overlap=True)",
    f"warmup({_MS}, steps=40, start=0.001, shape='cosine', overlap=True)",
    "warmup(constant(0.1), steps=3, peak=0.5)",
    f"warmup({_MS}, steps=1, start=0.2, peak=0)",
    "warmup(constant(0.1), steps=0.5)",
    # join
    f"join([constant(0.01), {_SD}, constant(0.001)], boundaries=[5, 50])",
    "join([constant(0.3)], boundaries=[])",
    f"join([{_PW}, {_SD}, {_PW}], boundaries=[2.5, 7.25])",
    f"join([warmup({_SD}, steps=4), repeat({_PW}, period=10)], boundaries=[30])",
    f"join([constant(0.1), constant(0.2), constant(0.3), constant(0.4), {_SD}], "
    "boundaries=[1, 2, 3, 1000])",
    # clamp
    "clamp(step_decay(0.1, step_size=10, gamma=0.1), min=0.001)",
    f"clamp({_SD}, max=0.07)",
    f"clamp({_SD}, min=0.02, max=0.07)",
    "clamp(step_decay(0.1, step_size=10, gamma=2), max=0.5)",
    "clamp(repeat(constant(0.1), period=10, decay=2), min=0.01, max=1)",
    f"clamp({_SD}, min=0.05, max=0.05)",
    # shift
    f"shift({_SD}, steps=10)",
    f"shift({_SD}, steps=2.5, before=0)",
    "shift(constant(0.1), steps=5, before=0.3)",
    f"shift(warmup({_SD}, steps=3), steps=7)",
    # repeat
    f"repeat({_SD}, period=10)",
    f"repeat({_SD}, period=10, decay=0.5)",
    f"repeat({_SD}, period=7.5, decay=0.9, period_mul=2)",
    f"repeat({_PW}, period=3, period_mul=1.5)",
    f"repeat({_PW}, period=0.1)",
    f"repeat({_PW}, period=0.3, period_mul=1.1, decay=0.99)",
    f"repeat(warmup({_SD}, steps=5), period=20, decay=0.8)",
    "repeat(constant(0.1), period=1, decay=1)",
    # per_epoch
    "per_epoch(step_decay(0.1, step_size=2, gamma=0.5), steps_per_epoch=100)",
    "per_epoch(step_decay(0.1, step_size=2, gamma=0.5), steps_per_epoch=100, mode='fractional')",
    f"per_epoch({_MS}, steps_per_epoch=0.5)",
    f"per_epoch(warmup({_SD}, steps=2), steps_per_epoch=7, mode='fractional')",
    # product / scale and nesting
    f"product([warmup(join([{_SD}, constant(0.01)], boundaries=[20]), steps=5), constant(0.5)])",
    f"product([{_SD}, repeat({_PW}, period=4), clamp({_MS}, min=0.01)])",
    f"scale(clamp(shift({_SD}, steps=4), max=0.06), factor=0.5)",
    f"scale({_SD}, factor=0)",
    f"per_epoch(repeat(join([warmup({_SD}, steps=2), {_PW}], boundaries=[6]), period=9, "
    "decay=0.9), steps_per_epoch=10)",
    # with the smooth families: the usual recipes
    "warmup(cosine(0.1, steps=900, alpha=0.01), steps=100)",
    "warmup(cosine(0.1, steps=1000), steps=100, start=0.001, shape='cosine', overlap=True)",
    "repeat(warmup(cosine(0.1, steps=90), steps=10), period=100, decay=0.7)",
    "repeat(cosine(0.1, steps=50, end=0.001), period=50, period_mul=2)",
    "join([warmup(cosine(0.1, steps=40), steps=10), warmup(cosine(0.05, steps=80), steps=20)], "
    "boundaries=[50])",
    "clamp(cosine(0.1, steps=100, periodic=True), min=0.02)",
    "per_epoch(cosine(0.1, steps=90), steps_per_epoch=391, mode='fractional')",
    "shift(cosine(0.1, steps=100), steps=25, before=0.02)",
]
