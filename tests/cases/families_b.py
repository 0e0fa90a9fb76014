"""Contract cases for the cyclic, one-cycle, inverse-sqrt/Noam and warmup-stable-decay families."""

CASES = [
    # cyclic
    "cyclic(0.001, 0.1, step_size_up=10)",
    "cyclic(0.001, 0.1, step_size_up=4, step_size_down=12, mode='triangular2')",
    "cyclic(0.01, 0.3, step_size_up=5, mode='exp_range', gamma=0.99)",
    "cyclic(0.2, 0.05, step_size_up=3.5, step_size_down=1.5)",
    "cyclic(0, 1, step_size_up=1, step_size_down=1, mode='triangular2')",
    "cyclic(0.001, 0.1, step_size_up=2.5, scale=step_decay(1, step_size=1, gamma=0.5))",
    "cyclic(0.001, 0.1, step_size_up=6, scale=constant(0.5), scale_mode='iterations')",
    "cyclic(0.3, 0.1, step_size_up=6, scale=piecewise(boundaries=[3], values=[1, 0.5]))",
    # one-cycle
    "one_cycle(0.1, total_steps=100)",
    "one_cycle(0.1, total_steps=100, pct_start=0.25, anneal='linear')",
    "one_cycle(1, total_steps=1000, three_phase=True, div_factor=10, final_div_factor=100)",
    "one_cycle(0.5, total_steps=10, pct_start=0.1)",
    "one_cycle(0.5, total_steps=1)",
    "one_cycle(0.5, total_steps=7, pct_start=0)",
    "one_cycle(0.5, total_steps=7, pct_start=1, anneal='linear', three_phase=True)",
    "one_cycle(0.85, total_steps=50, div_factor=0.8947368421052632, final_div_factor=1)",
    "one_cycle(0.1, total_steps=100, pct_start=0.6, three_phase=True)",
    "one_cycle(0.1, total_steps=20.5, pct_start=0.3)",
    # inverse sqrt / Noam
    "inverse_sqrt(0.01)",
    "inverse_sqrt(0.01, warmup_steps=100)",
    "inverse_sqrt(0.01, warmup_steps=10, timescale=3)",
    "inverse_sqrt(0.01, warmup_steps=40, timescale=1000)",
    "inverse_sqrt(1, warmup_steps=0.5)",
    "noam(512, warmup_steps=4000)",
    "noam(64, warmup_steps=10, factor=2)",
    "noam(1, warmup_steps=0.5)",
    # warmup-stable-decay
    "wsd(0.1, warmup_steps=10, stable_steps=80, decay_steps=10)",
    "wsd(0.1, warmup_steps=10, stable_steps=30, decay_steps=20, start=0.01, end=0.001, "
    "decay='cosine', warmup='cosine')",
    "wsd(0.1, warmup_steps=7, stable_steps=0, decay_steps=13, decay='1-sqrt', warmup='1-sqrt')",
    "wsd(0.1, warmup_steps=0, stable_steps=20, decay_steps=0, end=0.05)",
    "wsd(0.02, warmup_steps=2.5, stable_steps=3.5, decay_steps=4.5, start=0.05, end=0.03)",
    "wsd(0.1, warmup_steps=0, stable_steps=0, decay_steps=0)",
]
