"""lrlab.torch.Scheduler: trains real small models; counts real updates (GradScaler skips,
gradient accumulation); per-group schedules and multipliers; momentum / beta1 / weight decay;
any optimizer; plateau composition; tensor LR without torch.compile recompiles; torch's API."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

import lrlab  # noqa: E402
from lrlab.errors import ScheduleError  # noqa: E402
from lrlab.plateau import ReduceLROnPlateau  # noqa: E402
from lrlab.torch import Scheduler, mean_across_ranks  # noqa: E402

WARMUP_COSINE = "warmup(cosine(0.1, steps=90, alpha=0.01), steps=10, start=0.0)"


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Any:
    """Tiny models: one intra-op thread is faster, and steady on a busy 2-core CI box."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _data(seed: int = 0) -> tuple[Any, Any]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 4, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(64, 1, generator=g)
    return x, y


def _model(seed: int = 0) -> Any:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def _loss(model: Any, x: Any, y: Any) -> Any:
    return torch.nn.functional.mse_loss(model(x), y)


class Sign(torch.optim.Optimizer):
    """A custom optimizer: signSGD with a 'momentum'-free group dict."""

    def __init__(self, params: Any, lr: float = 0.01) -> None:
        super().__init__(params, {"lr": lr, "weight_decay": 0.0})

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad.sign(), alpha=-float(group["lr"]))


OPTIMIZERS = {
    "SGD": lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=0.9),
    "Adam": lambda ps: torch.optim.Adam(ps, lr=1.0),
    "AdamW": lambda ps: torch.optim.AdamW(ps, lr=1.0, weight_decay=0.01),
    "RMSprop": lambda ps: torch.optim.RMSprop(ps, lr=1.0),
    "custom": lambda ps: Sign(ps, lr=1.0),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_trains_a_real_model_with_the_schedule_values(name: str) -> None:
    x, y = _data()
    model = _model()
    opt = OPTIMIZERS[name](model.parameters())
    s = lrlab.parse(WARMUP_COSINE)
    sched = Scheduler(opt, s)
    assert opt.param_groups[0]["lr"] == s(0) == 0.0
    first = _loss(model, x, y).item()
    seen = []
    for t in range(100):
        assert opt.param_groups[0]["lr"] == s(t)  # update t + 1 uses s(t)
        seen.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        _loss(model, x, y).backward()
        opt.step()
        sched.step()
        assert sched.count == t + 1
        assert sched.get_last_lr() == [s(t + 1)]
    assert seen == s(list(range(100))).tolist()
    assert _loss(model, x, y).item() < 0.5 * first


def test_gradscaler_skipped_steps_are_not_counted() -> None:
    x, y = _data()
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    s = lrlab.parse("linear(0.1, 0.0, steps=20)")
    sched = Scheduler(opt, s)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**4)
    skipped = {2, 3, 7}
    applied = 0
    for it in range(12):
        opt.zero_grad()
        scaler.scale(_loss(model, x, y)).backward()
        if it in skipped:  # an overflow: GradScaler skips optimizer.step()
            next(model.parameters()).grad[0, 0] = math.inf
        before = next(model.parameters()).detach().clone()
        scaler.step(opt)
        scaler.update()
        sched.step()
        changed = not torch.equal(before, next(model.parameters()).detach())
        assert changed == (it not in skipped)
        applied += it not in skipped
        assert sched.count == applied
        assert opt.param_groups[0]["lr"] == s(applied)
    assert applied == 9


def test_gradient_accumulation_counts_updates_not_batches() -> None:
    x, y = _data()
    model = _model()
    opt = torch.optim.Adam(model.parameters(), lr=1.0)
    s = lrlab.parse(WARMUP_COSINE)
    sched = Scheduler(opt, s)
    accum = 4
    for batch in range(40):
        _loss(model, x[batch % 8 * 8:][:8], y[batch % 8 * 8:][:8]).backward()
        if (batch + 1) % accum == 0:
            opt.step()
            opt.zero_grad()
        sched.step()  # called every micro-batch, as people do
        assert sched.count == (batch + 1) // accum
        assert opt.param_groups[0]["lr"] == s((batch + 1) // accum)


def test_no_step_order_warnings() -> None:
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = Scheduler(opt, WARMUP_COSINE)
        sched.step()  # before any optimizer.step(): torch warns here, lrlab must not
        sched.step()
        for _ in range(3):
            opt.step()
            sched.step()
    assert not [w for w in caught if "step" in str(w.message)], [str(w.message) for w in caught]
    assert sched.count == 3


def test_count_steps_mode_counts_scheduler_calls_like_torch() -> None:
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    ref_opt = torch.optim.SGD(_model().parameters(), lr=0.1)
    ref = torch.optim.lr_scheduler.StepLR(ref_opt, step_size=3, gamma=0.5)
    sched = Scheduler(opt, "torch.StepLR(0.1, step_size=3, gamma=0.5)", count="steps")
    for _ in range(12):
        assert opt.param_groups[0]["lr"] == ref_opt.param_groups[0]["lr"]
        ref_opt.step()
        ref.step()
        sched.step()  # no optimizer.step(): 'steps' mode counts this call
    assert sched.count == 12 and sched.get_last_lr() == ref.get_last_lr()


@pytest.mark.parametrize(
    ("spec", "make", "exact"),
    [
        ("torch.StepLR(0.1, step_size=7, gamma=0.5)",
         lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), True),
        ("torch.MultiStepLR(0.1, milestones=[10, 25])",
         lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[10, 25]), True),
        ("torch.OneCycleLR(max_lr=0.1, total_steps=60)",
         lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=60), True),
        ("torch.CosineAnnealingLR(0.1, T_max=40, eta_min=0.001)",
         lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=40, eta_min=0.001),
         False),
    ],
)
def test_same_lr_sequence_as_torch_scheduler(spec: str, make: Any, exact: bool) -> None:
    model = _model()
    ours = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD(_model().parameters(), lr=0.1, momentum=0.9)
    sched = Scheduler(ours, spec)
    ref = make(theirs)
    for t in range(59):
        a, b = ours.param_groups[0]["lr"], theirs.param_groups[0]["lr"]
        assert a == b if exact else math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-18), (t, a, b)
        ours.step()
        theirs.step()
        sched.step()
        ref.step()


def test_one_cycle_with_inverse_momentum_matches_torch_one_cycle() -> None:
    total = 50
    ours = torch.optim.SGD(_model().parameters(), lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD(_model().parameters(), lr=0.1, momentum=0.9)
    sched = Scheduler(ours, lrlab.OneCycle(0.1, total), momentum=lrlab.OneCycle.momentum(total))
    ref = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=0.1, total_steps=total)
    for _ in range(total - 1):
        assert ours.param_groups[0]["lr"] == theirs.param_groups[0]["lr"]
        assert math.isclose(ours.param_groups[0]["momentum"], theirs.param_groups[0]["momentum"],
                            rel_tol=1e-15)
        ours.step()
        theirs.step()
        sched.step()
        ref.step()


def test_adam_beta1_schedule_keeps_beta2() -> None:
    opt = torch.optim.Adam(_model().parameters(), lr=1.0, betas=(0.9, 0.95))
    mom = lrlab.OneCycle.momentum(20)
    sched = Scheduler(opt, lrlab.OneCycle(0.01, 20), momentum=mom)
    for t in range(19):
        assert opt.param_groups[0]["betas"] == (mom(t), 0.95)
        opt.step()
        sched.step()


def test_weight_decay_and_generic_hparams() -> None:
    opt = torch.optim.AdamW(_model().parameters(), lr=1.0, eps=1e-8)
    wd = lrlab.parse("linear(0.0, 0.1, steps=10)")
    sched = Scheduler(opt, "constant(0.001)", weight_decay=wd,
                      hparams={"eps": "exponential(1e-6, 0.5, 1)"})
    for t in range(12):
        g = opt.param_groups[0]
        assert g["weight_decay"] == wd(t) and g["eps"] == 1e-6 * 0.5**t
        opt.step()
        sched.step()


def test_per_group_schedules_and_multipliers() -> None:
    model = _model()
    body, head = model[0], model[2]
    opt = torch.optim.SGD([{"params": body.parameters()}, {"params": head.parameters()}], lr=1.0)
    s = lrlab.parse(WARMUP_COSINE)
    sched = Scheduler(opt, s, multipliers=[0.1, 1.0])
    for t in range(15):
        assert [g["lr"] for g in opt.param_groups] == [(s * 0.1)(t), s(t)]
        opt.step()
        sched.step()
    other = lrlab.parse("constant(0.5)")
    opt2 = torch.optim.SGD([{"params": body.parameters()}, {"params": head.parameters()}], lr=1.0)
    sched2 = Scheduler(opt2, [s, other])
    opt2.step()
    sched2.step()
    assert sched2.get_last_lr() == [s(1), 0.5]


def test_plateau_composes_with_a_schedule() -> None:
    x, y = _data()
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    s = lrlab.parse(WARMUP_COSINE)
    p = ReduceLROnPlateau(patience=2, factor=0.5, min_lr=1e-4)
    sched = Scheduler(opt, s, plateau=p)
    for epoch in range(8):
        for _ in range(10):
            opt.zero_grad()
            _loss(model, x, y).backward()
            opt.step()
            sched.step()
            assert opt.param_groups[0]["lr"] == p.lr(s(sched.count))
        metric = 1.0 if epoch >= 3 else 1.0 - epoch  # plateaus from epoch 3 on
        sched.step(metric)  # torch ReduceLROnPlateau style
    # bad from epoch 3: reductions after epochs 4 and 6, epoch 7 is the first bad one again
    assert p.num_reductions == 2 and p.multiplier == 0.25 and p.num_bad == 1
    assert opt.param_groups[0]["lr"] == max(s(80) * 0.25, min(1e-4, s(80)))
    assert sched.observe(1.0) == 0.125  # applied at once, without a step
    assert opt.param_groups[0]["lr"] == s(80) * 0.125 == p.lr(s(80))


def test_plateau_state_is_in_the_state_dict() -> None:
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched = Scheduler(opt, "constant(0.1)", plateau=ReduceLROnPlateau(patience=1))
    for m in [1.0, 2.0, 2.0]:
        opt.step()
        sched.step(m)
    state = json.loads(json.dumps(sched.state_dict()))
    opt2 = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched2 = Scheduler(opt2, "constant(0.1)", plateau=ReduceLROnPlateau(patience=1))
    sched2.load_state_dict(state)
    assert sched2.count == 3 and sched2.plateau is not None
    assert sched2.plateau.multiplier == pytest.approx(0.01)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    with pytest.raises(ScheduleError, match="plateau"):
        Scheduler(torch.optim.SGD(_model().parameters(), lr=1.0), "constant(0.1)"
                  ).load_state_dict(state)


def test_state_dict_resume_sets_the_count_and_the_lr() -> None:
    s = lrlab.parse(WARMUP_COSINE)
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched = Scheduler(opt, s)
    for _ in range(37):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert json.loads(json.dumps(state)) == state
    fresh = torch.optim.SGD(_model().parameters(), lr=1.0)
    again = Scheduler(fresh, s)
    again.load_state_dict(state)
    assert again.count == 37 and fresh.param_groups[0]["lr"] == s(37)
    assert "initial_lr" not in fresh.param_groups[0]  # nothing to go missing on resume
    resumed = Scheduler(torch.optim.SGD(_model().parameters(), lr=1.0), s, start=37)
    assert resumed.get_last_lr() == [s(37)]
    resumed.count = 80
    assert resumed.get_last_lr() == [s(80)] == resumed.get_lr()
    with pytest.raises(ScheduleError, match="state_dict"):
        again.load_state_dict({"count": 3})


def test_is_a_torch_lr_scheduler_with_its_api() -> None:
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched = Scheduler(opt, WARMUP_COSINE)
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)
    assert sched.optimizer is opt
    assert sched.base_lrs == [0.0] and sched.last_epoch == 0
    assert repr(sched).startswith("lrlab.torch.Scheduler(warmup(")
    # Lightning's default lr_scheduler_step: scheduler.step() or scheduler.step(metric)
    sched.step()
    with pytest.raises(ScheduleError, match="no plateau controller"):
        sched.step(0.5)
    sched.last_epoch = 50  # torch's name for the count
    assert sched.count == 50 and opt.param_groups[0]["lr"] == sched.schedules[0](50)
    with pytest.raises(AttributeError):
        sched.base_lrs = [1.0]


def test_a_param_group_added_later_is_an_error_not_ignored() -> None:
    model = _model()
    opt = torch.optim.SGD(model[0].parameters(), lr=1.0)
    sched = Scheduler(opt, WARMUP_COSINE)
    opt.add_param_group({"params": model[2].parameters()})
    with pytest.raises(ScheduleError, match=r"`optimizer.param_groups` must be the 1 groups"):
        sched.step()


def test_remove_detaches_the_counter() -> None:
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched = Scheduler(opt, WARMUP_COSINE)
    opt.step()
    sched.remove()
    opt.step()
    assert sched.count == 1


def test_tensor_lr_is_updated_in_place_and_trains_the_same() -> None:
    x, y = _data()
    runs = []
    for tensor in (False, True):
        model = _model()
        opt = torch.optim.Adam(model.parameters(), lr=1.0)
        sched = Scheduler(opt, WARMUP_COSINE, tensor_lr=tensor)
        lr0 = opt.param_groups[0]["lr"]
        for _ in range(20):
            opt.zero_grad()
            _loss(model, x, y).backward()
            opt.step()
            sched.step()
        if tensor:
            assert opt.param_groups[0]["lr"] is lr0  # same tensor object, updated in place
            assert float(lr0) == lrlab.parse(WARMUP_COSINE)(20)
        runs.append([p.detach().clone() for p in model.parameters()])
    for a, b in zip(*runs):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


def _count_compiles(opt_name: str, tensor_lr: bool) -> tuple[int, int]:
    from torch._dynamo.testing import CompileCounter

    torch._dynamo.reset()
    model = _model()
    kw: dict[str, Any] = {"momentum": 0.9} if opt_name == "SGD" else {}
    opt = getattr(torch.optim, opt_name)(model.parameters(), lr=1.0, **kw)
    # the LR is constant for 3 updates (compile, optimizer state initialised), then moves
    sched = Scheduler(opt, "join([constant(0.1), cosine(0.1, steps=20)], boundaries=[3])",
                      tensor_lr=tensor_lr)
    counter = CompileCounter()

    @torch.compile(backend=counter)
    def update() -> None:
        opt.step()

    x, y = _data()
    frames = []
    for _ in range(10):
        opt.zero_grad()
        _loss(model, x, y).backward()
        update()
        sched.step()
        frames.append(counter.frame_count)
    assert sched.count == 10  # the post-hook counts compiled updates too
    return frames[2], frames[-1]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "AdamW"])
def test_tensor_lr_avoids_torch_compile_recompiles(opt_name: str) -> None:
    warm, end = _count_compiles(opt_name, tensor_lr=True)
    assert end == warm, "a changing tensor LR must not trigger recompilation"
    warm_f, end_f = _count_compiles(opt_name, tensor_lr=False)
    assert end_f > warm_f, "control: a changing float LR does recompile"


def test_mean_across_ranks_without_a_process_group() -> None:
    assert mean_across_ranks(torch.tensor(2.5)) == 2.5
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    sched = Scheduler(opt, "constant(0.1)", plateau=ReduceLROnPlateau(), sync=True)
    with pytest.raises(ScheduleError, match="`sync`"):
        sched.observe(1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"schedule": 0.1}, r"`schedule` must be an lrlab Schedule, spec text"),
        ({"schedule": "cosine(0.1)"}, r"steps"),
        ({"schedule": ["constant(0.1)"] * 2}, r"`schedule` must be one schedule or one per param group \(1\)"),
        ({"multipliers": -1.0}, r"`multipliers` must be a number >= 0"),
        ({"multipliers": [1.0, 2.0]}, r"`multipliers` must be one number or one per param group"),
        ({"count": "epochs"}, r"`count` must be one of"),
        ({"start": -1}, r"`start` must be an integer >= 0"),
        ({"sync": "yes"}, r"`sync` must be True, False or 'auto'"),
        ({"plateau": "max"}, r"`plateau` must be an lrlab.plateau.ReduceLROnPlateau"),
        ({"tensor_lr": 1}, r"`tensor_lr` must be"),
        ({"hparams": {"nesterov_x": "constant(1)"}}, r"`nesterov_x` must be a key of the param groups"),
    ],
)
def test_errors_name_parameter_rule_and_value(kwargs: dict[str, Any], match: str) -> None:
    opt = torch.optim.SGD(_model().parameters(), lr=1.0)
    kwargs = {"schedule": "constant(0.1)", **kwargs}
    with pytest.raises(ScheduleError, match=match):
        Scheduler(opt, **kwargs)


def test_momentum_needs_an_optimizer_with_momentum() -> None:
    opt = torch.optim.Adagrad(_model().parameters(), lr=1.0)
    with pytest.raises(ScheduleError, match="`momentum` must be used with an optimizer whose"):
        Scheduler(opt, "constant(0.1)", momentum="constant(0.9)")
    with pytest.raises(ScheduleError, match="`optimizer` must be a torch optimizer"):
        Scheduler(object(), "constant(0.1)")  # type: ignore[arg-type]
