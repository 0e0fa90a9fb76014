"""lrlab.compat.torch constructors (torch.optim.lr_scheduler semantics) for the contract tests."""

CASES = [
    "torch.LambdaLR(0.1, lr_lambda=linear(0.0, 1.0, 100))",
    "torch.LambdaLR(lr=0.5, lr_lambda=cosine(1.0, steps=50, periodic=True))",
    "torch.StepLR(0.1, step_size=30)",
    "torch.StepLR(0.1, step_size=1, gamma=0.999)",
    "torch.StepLR(0, step_size=3, gamma=0.5)",
    "torch.MultiStepLR(0.1, milestones=[30, 80])",
    "torch.MultiStepLR(0.1, milestones=[80, 30, 30, 0], gamma=0.5)",
    "torch.MultiStepLR(0.1, milestones=[])",
    "torch.ConstantLR(0.1)",
    "torch.ConstantLR(0.1, factor=0.25, total_iters=0)",
    "torch.ConstantLR(0.3, factor=1.0, total_iters=3)",
    "torch.LinearLR(0.1)",
    "torch.LinearLR(0.1, start_factor=0.001, end_factor=0.0, total_iters=500)",
    "torch.LinearLR(0.1, start_factor=1.0, end_factor=0.5, total_iters=1)",
    "torch.LinearLR(0.1, start_factor=0.5, total_iters=0)",
    "torch.ExponentialLR(0.1, gamma=0.999)",
    "torch.ExponentialLR(1.0, gamma=0.5)",
    "torch.PolynomialLR(0.1)",
    "torch.PolynomialLR(0.1, total_iters=300, power=2.0)",
    "torch.PolynomialLR(0.1, total_iters=0)",
    "torch.PolynomialLR(0.1, total_iters=10, power=0)",
    "torch.CosineAnnealingLR(0.1, T_max=1)",
    "torch.CosineAnnealingLR(0.1, T_max=100)",
    "torch.CosineAnnealingLR(0.1, T_max=37, eta_min=0.01)",
    "torch.CosineAnnealingLR(0.01, T_max=50, eta_min=0.1)",
    "torch.CosineAnnealingWarmRestarts(0.1, T_0=10)",
    "torch.CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=2, eta_min=0.001)",
    "torch.CosineAnnealingWarmRestarts(0.1, T_0=1, T_mult=3)",
    "torch.CyclicLR(0.001, 0.1)",
    "torch.CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=20, step_size_down=30,"
    " mode='triangular2', lr=0.5)",
    "torch.CyclicLR(0.001, 0.1, step_size_up=10, mode='exp_range', gamma=0.99)",
    "torch.CyclicLR(0.1, 0.01, step_size_up=12.5, step_size_down=7.25)",
    "torch.CyclicLR(0.001, 0.1, step_size_up=10, scale_fn=exponential(1.0, 0.5, 1))",
    "torch.CyclicLR(0.001, 0.1, step_size_up=10, scale_fn=constant(0.5),"
    " scale_mode='iterations', cycle_momentum=False)",
    "torch.OneCycleLR(lr=0.01, max_lr=0.1, total_steps=20000)",
    "torch.OneCycleLR(max_lr=1.0, epochs=10, steps_per_epoch=30, anneal_strategy='linear')",
    "torch.OneCycleLR(max_lr=0.1, total_steps=200, three_phase=True, div_factor=10,"
    " final_div_factor=100, pct_start=0.25)",
    "torch.OneCycleLR(max_lr=0.1, total_steps=1)",
    "torch.SequentialLR(schedulers=[torch.LinearLR(0.1, start_factor=0.01, total_iters=50),"
    " torch.CosineAnnealingLR(0.1, T_max=100)], milestones=[50])",
    "torch.SequentialLR(schedulers=[torch.ExponentialLR(0.1, gamma=0.5),"
    " torch.StepLR(0.1, step_size=10), torch.ConstantLR(0.1, total_iters=0)],"
    " milestones=[0, 100], lr=0.1)",
    "torch.SequentialLR(schedulers=[torch.CyclicLR(0.01, 0.1, step_size_up=5),"
    " torch.CosineAnnealingWarmRestarts(0.01, T_0=7, T_mult=2)], milestones=[40])",
    "torch.SequentialLR([torch.MultiStepLR(0.2, milestones=[1, 2])], [])",
    "torch.ChainedScheduler([torch.ConstantLR(1.0, factor=0.1, total_iters=20),"
    " torch.ExponentialLR(1.0, gamma=0.999)])",
    "torch.ChainedScheduler([torch.PolynomialLR(0.1, total_iters=250),"
    " torch.CosineAnnealingLR(0.1, T_max=100), torch.StepLR(0.1, step_size=30)])",
    "torch.ChainedScheduler([torch.LambdaLR(0.1, lr_lambda=linear(1.0, 0.0, 100)),"
    " torch.ExponentialLR(0.1, gamma=0.9), torch.CosineAnnealingLR(0.1, T_max=15)], lr=0.1)",
    "torch.ChainedScheduler([torch.CosineAnnealingLR(0.1, T_max=30, eta_min=0.01)])",
    "torch.ChainedScheduler([torch.CyclicLR(0.01, 0.1, step_size_up=30),"
    " torch.MultiStepLR(0.01, milestones=[100, 200])])",
]
