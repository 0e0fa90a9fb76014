CASES = [
    "constant(0.1)",
    "constant(0)",
    "piecewise(boundaries=[10, 20], values=[0.1, 0.01, 0.001])",
    "piecewise(boundaries=[10, 20], values=[0.1, 0.01, 0.001], side='left')",
    "piecewise(boundaries=[], values=[0.3])",
    "step_decay(0.1, step_size=30, gamma=0.1)",
    "step_decay(0.1, step_size=7.5, gamma=0.5)",
    "multistep(0.1, milestones=[30, 80], gamma=0.1)",
    "multistep(0.1, milestones=[30, 30, 80], gamma=0.5, side='left')",
    "product([constant(0.5), step_decay(0.2, step_size=10, gamma=0.5)])",
    "scale(step_decay(0.2, step_size=10, gamma=0.5), factor=3)",
]
