"""lrlab in JAX / optax: any lrlab schedule as an optax schedule under jit, and plateau.

Run: python docs/examples/jax_optax.py
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax

import lrlab
from lrlab.jax import ReduceLROnPlateau, to_optax

rng = np.random.default_rng(0)
x = jnp.asarray(rng.normal(size=(256, 4)), jnp.float32)
y = x @ jnp.asarray([1.0, -2.0, 0.5, 3.0]) + 0.1


def loss_fn(params, xb, yb):
    return jnp.mean((xb @ params["w"] + params["b"] - yb) ** 2)


# 1. An lrlab schedule as an optax schedule, inside inject_hyperparams, under jit.
schedule = lrlab.parse("warmup(cosine(0.1, steps=180, alpha=0.01), steps=20, start=0.0)")
lr = to_optax(schedule)  # mode 'callback' here: warmup is evaluated on the host, exactly
print(lr)
opt = optax.inject_hyperparams(optax.adam)(learning_rate=lr)
params = {"w": jnp.zeros(4), "b": jnp.zeros(())}
state = opt.init(params)


def make_step(opt):
    @jax.jit
    def train_step(params, state, xb, yb):
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    return train_step


train_step = make_step(opt)


used = []
for step in range(200):
    i = (step % 8) * 32
    params, state, loss = train_step(params, state, x[i:i + 32], y[i:i + 32])
    used.append(float(state.hyperparams["learning_rate"]))  # the LR of this update: s(step)
print(f"final loss {float(loss):.2e}; lr used at steps 0, 20, 199:", used[0], used[20], used[199])
assert np.array_equal(np.float32(used), np.float32(schedule(np.arange(200))))
assert float(loss) < 1e-2

# Traced into the XLA graph (no host round trip) for the families that support it:
one_cycle = to_optax("one_cycle(0.1, total_steps=200)")
peak = float(jax.jit(one_cycle)(59))  # float32 arithmetic in the graph
print(one_cycle.mode, peak)
assert one_cycle.mode == "trace" and abs(peak - one_cycle.schedule(59)) < 1e-6 * 0.1

# 2. ReduceLROnPlateau over a schedule: the controller runs on the host between jitted steps
# and writes the LR into the inject_hyperparams state (learning_rate given as a number).
plateau = ReduceLROnPlateau("cosine(0.05, steps=400)", factor=0.5, patience=2)
opt = optax.inject_hyperparams(optax.sgd)(learning_rate=0.0)
train_step = make_step(opt)
params = {"w": jnp.zeros(4), "b": jnp.zeros(())}
state = opt.init(params)
for _ in range(40):
    for b in range(8):
        state = plateau.inject(state)  # LR = multiplier * s(count)
        params, state, _ = train_step(params, state, x[b * 32:(b + 1) * 32],
                                      y[b * 32:(b + 1) * 32])
    plateau.update(float(loss_fn(params, x, y)), state)
print("plateau:", plateau.controller.num_reductions, "reductions; multiplier",
      plateau.controller.multiplier)
checkpoint = plateau.state_dict()  # JSON-able, with the schedule's config
assert plateau.controller.num_reductions >= 1
state = plateau.inject(state)  # the LR of the next update, as the next epoch would set it
assert float(state.hyperparams["learning_rate"]) == np.float32(plateau.lr(int(state.count)))
