"""Tests of companion.rl: estimators against closed forms, losses against finite differences,
and seeded learning on Gymnasium's CartPole-v1."""

from __future__ import annotations

import functools
import warnings

import gymnasium
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.nn import (Linear, ReLU, Sequential, gradcheck, huber_loss, mse_loss, numerical_gradient,
                          rel_error)
from companion.rl import (
    DQNConfig,
    GreedyPolicy,
    ReplayBuffer,
    bandit_ascent,
    bandit_gradient,
    bandit_objective,
    evaluate,
    leave_one_out_baseline,
    linear_epsilon,
    mlp,
    q_loss_gather,
    q_loss_onehot,
    reward_to_go,
    score_function_samples,
    train_dqn,
    train_reinforce,
)

# --- reward-to-go and the baseline ------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=60), st.floats(0.0, 1.0))
def test_reward_to_go_equals_direct_sum(rewards, gamma):
    r = np.array(rewards)
    direct = np.array([sum(gamma ** (k - t) * r[k] for k in range(t, len(r))) for t in range(len(r))])
    np.testing.assert_allclose(reward_to_go(r, gamma), direct, rtol=1e-10, atol=1e-9)


def test_reward_to_go_rejects_bad_input():
    with pytest.raises(ValueError, match="reward_to_go.*1-D"):
        reward_to_go(np.ones((2, 3)))
    with pytest.raises(ValueError, match="gamma"):
        reward_to_go(np.ones(3), gamma=1.5)


def test_leave_one_out_baseline_is_the_mean_of_the_other_episodes():
    rng = np.random.default_rng(0)
    gs = [rng.standard_normal(n) for n in (5, 3, 7, 3)]
    base = leave_one_out_baseline(gs)
    for i, g in enumerate(gs):
        for t in range(len(g)):
            others = [h[t] for j, h in enumerate(gs) if j != i and len(h) > t]
            expected = np.mean(others) if others else 0.0
            assert base[i][t] == pytest.approx(expected, abs=1e-12)


# --- the bandit: score-function estimator against the closed form -----------------------

MEANS = np.array([1.0, 2.0, 0.5, 3.0]) + 5.0  # an offset makes the baseline matter
THETA = np.array([0.3, -0.2, 0.5, 0.0])


def test_bandit_gradient_matches_finite_differences():
    theta = THETA.copy()
    num, _ = numerical_gradient(lambda: bandit_objective(theta, MEANS), theta)
    assert rel_error(bandit_gradient(THETA, MEANS), num) < 1e-7


@pytest.mark.parametrize("baseline", [0.0, None])
def test_score_function_estimate_matches_exact_gradient_within_standard_error(baseline):
    b = bandit_objective(THETA, MEANS) if baseline is None else baseline
    n = 40_000
    g = score_function_samples(THETA, MEANS, n, rng=1, reward_std=1.0, baseline=b)
    mean, se = g.mean(axis=0), g.std(axis=0, ddof=1) / np.sqrt(n)
    exact = bandit_gradient(THETA, MEANS)
    assert np.all(np.abs(mean - exact) < 4 * se)


def test_baseline_reduces_variance_but_not_the_mean():
    plain = score_function_samples(THETA, MEANS, 20_000, rng=2, baseline=0.0)
    based = score_function_samples(THETA, MEANS, 20_000, rng=2, baseline=bandit_objective(THETA, MEANS))
    assert based.var(axis=0).sum() < 0.2 * plain.var(axis=0).sum()


def test_bandit_ascent_moves_probability_to_the_best_arm():
    probs = bandit_ascent(np.zeros(4), MEANS, lr=0.5, steps=200, n_samples=16, rng=3)
    assert probs.shape == (201, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs[0, 3] == pytest.approx(0.25) and probs[-1, 3] > 0.9


def test_bandit_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="bandit_gradient.*same length"):
        bandit_gradient(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="n_samples"):
        score_function_samples(THETA, MEANS, 0)


# --- DQN's loss on the chosen action only ------------------------------------------------


LOSS_FNS = {"huber": huber_loss, "squared": mse_loss}


@pytest.mark.parametrize("kind", ["huber", "squared"])
def test_gather_and_onehot_give_identical_gradients_zero_elsewhere(kind):
    kind = LOSS_FNS[kind]
    rng = np.random.default_rng(4)
    q = 3 * rng.standard_normal((32, 3))
    actions = rng.integers(0, 3, 32)
    y = 3 * rng.standard_normal(32)
    l1, d1 = q_loss_gather(q, actions, y, loss=kind)
    l2, d2 = q_loss_onehot(q, actions, y, loss=kind)
    assert l1 == l2 and np.array_equal(d1, d2)
    chosen = np.zeros_like(q, dtype=bool)
    chosen[np.arange(32), actions] = True
    assert np.all(d1[~chosen] == 0.0) and np.all(d1[chosen] != 0.0)
    num, kink = numerical_gradient(lambda: q_loss_gather(q, actions, y, loss=kind)[0], q)
    assert not kink.any() and rel_error(d1, num) < 1e-7


def test_losses_against_closed_forms():
    delta = np.linspace(-4, 4, 81) + 0.013  # avoid the kink at |δ| = 1 exactly
    q = np.stack([delta, np.full_like(delta, 7.0)], axis=1)
    a, y = np.zeros(len(delta), dtype=int), np.zeros(len(delta))
    assert q_loss_gather(q, a, y)[0] == pytest.approx(np.mean(scipy.special.huber(1.0, delta)))
    assert q_loss_gather(q, a, y, loss=mse_loss)[0] == pytest.approx(np.mean(delta**2))
    wide = functools.partial(huber_loss, delta=2.5)
    assert q_loss_gather(q, a, y, loss=wide)[0] == pytest.approx(np.mean(scipy.special.huber(2.5, delta)))


def test_huber_loss_equals_torch_huber_loss_and_its_finite_differences():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    pred, target = 3 * rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    for delta in (0.5, 1.0, 2.0):
        value, grad = huber_loss(pred, target, delta=delta)
        p = torch.tensor(pred, requires_grad=True)
        ref = torch.nn.functional.huber_loss(p, torch.tensor(target), delta=delta)
        ref.backward()
        assert value == pytest.approx(ref.item(), rel=1e-15)
        assert np.allclose(grad, p.grad.numpy(), rtol=0, atol=1e-15)
        num, kink = numerical_gradient(lambda d=delta: huber_loss(pred, target, delta=d)[0], pred)
        assert not kink.any() and rel_error(grad, num) < 1e-7


def test_old_loss_strings_and_huber_delta_still_work_and_warn_once(monkeypatch):
    from companion import _deprecation

    monkeypatch.setattr(_deprecation, "_WARNED", set())
    rng = np.random.default_rng(9)
    q, a, y = rng.standard_normal((6, 2)), rng.integers(0, 2, 6), rng.standard_normal(6)
    for old, new in (("huber", huber_loss), ("squared", mse_loss)):
        with pytest.warns(DeprecationWarning, match=rf"q_loss_gather\(loss='{old}'\) is deprecated"):
            got = q_loss_gather(q, a, y, loss=old)
        want = q_loss_gather(q, a, y, loss=new)
        assert got[0] == want[0] and np.array_equal(got[1], want[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q_loss_gather(q, a, y, loss="huber")  # once per process
    with pytest.warns(DeprecationWarning, match=r"huber_delta=\.\.\.\) is deprecated"):
        got = q_loss_onehot(q, a, y, huber_delta=0.3)
    want = q_loss_onehot(q, a, y, loss=functools.partial(huber_loss, delta=0.3))
    assert np.array_equal(got[1], want[1])
    with pytest.warns(DeprecationWarning, match=r"DQNConfig\(loss='squared'\) is deprecated"):
        assert DQNConfig(loss="squared").loss is mse_loss
    assert DQNConfig().loss is huber_loss


@pytest.mark.parametrize("kind", ["huber", "squared"])
def test_q_network_gradcheck_through_the_chosen_action_loss(kind):
    kind = LOSS_FNS[kind]
    rng = np.random.default_rng(5)
    net = Sequential(Linear(4, 8, rng=rng), ReLU(), Linear(8, 3, rng=rng))
    x, actions, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6), rng.standard_normal(6)
    rep = gradcheck(net, x, lambda out, t: q_loss_gather(out, actions, t, loss=kind), y)
    assert set(rep.errors) == {"input", "0.W", "0.b", "2.W", "2.b"}
    assert rep.max_error < 1e-7


def test_q_loss_rejects_bad_input():
    with pytest.raises(ValueError, match=r"q_loss_gather: expected integer actions of shape \(2,\)"):
        q_loss_gather(np.zeros((2, 3)), np.array([0.0, 1.0]), np.zeros(2))
    with pytest.raises(ValueError, match=r"q_loss_onehot: actions must lie in \[0, 3\)"):
        q_loss_onehot(np.zeros((2, 3)), np.array([0, 3]), np.zeros(2))
    with pytest.raises(ValueError, match="loss must be one of"):
        q_loss_gather(np.zeros((2, 3)), np.array([0, 1]), np.zeros(2), loss="l1")


def test_epsilon_schedule_and_replay_buffer():
    assert linear_epsilon(0, 1.0, 0.1, 100) == 1.0
    assert linear_epsilon(50, 1.0, 0.1, 100) == pytest.approx(0.55)
    assert linear_epsilon(10_000, 1.0, 0.1, 100) == pytest.approx(0.1)
    buf = ReplayBuffer(3, 2)
    for i in range(5):
        buf.add(np.full(2, i), i % 2, float(i), np.full(2, i + 1), i == 4)
    assert len(buf) == 3 and sorted(buf.rewards) == [2.0, 3.0, 4.0]  # the oldest two were overwritten
    s, a, r, s2, done = buf.sample(50, np.random.default_rng(0))
    np.testing.assert_array_equal(s[:, 0], r)
    np.testing.assert_array_equal(s2[:, 0], r + 1)
    np.testing.assert_array_equal(done, r == 4)


# --- evaluation and argument checks -------------------------------------------------------


def test_evaluate_is_deterministic_for_a_seed():
    policy = GreedyPolicy.snapshot(mlp(4, 2, (8,), rng=0), 4)
    a = evaluate(policy, "CartPole-v1", 5, seed=11)
    b = evaluate(policy, "CartPole-v1", 5, seed=11)
    c = evaluate(lambda obs: policy(obs), "CartPole-v1", 5, seed=11)  # no batch method: same returns
    assert a.shape == (5,) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    heuristic = evaluate(lambda obs: int(obs[2] > 0), "CartPole-v1", 20, seed=3)
    assert not np.all(heuristic == heuristic[0])  # different seeds give different episodes


def _make_vec_returns(policy, env_id, episodes, seed, mode):
    """The reference: Gymnasium's own vector environment, each episode played to its end."""
    envs = gymnasium.make_vec(env_id, num_envs=episodes, vectorization_mode=mode)
    obs = envs.reset(seed=seed)[0]
    returns, alive = np.zeros(episodes), np.ones(episodes, dtype=bool)
    while alive.any():
        obs, rewards, term, trunc, _ = envs.step(np.array([policy(o) for o in obs]))
        returns += np.where(alive, rewards, 0.0)  # after its end an episode is reset: not counted
        alive &= ~(term | trunc)
    envs.close()
    return returns


@pytest.mark.parametrize(("env_id", "mode"), [("CartPole-v1", "vector_entry_point"), ("MountainCar-v0", "sync")])
def test_evaluate_plays_the_episodes_of_gymnasiums_vector_environment(env_id, mode):
    """CartPole has its own vectorised version; MountainCar has not, so its episodes are
    separate environments reset with seed + i, as SyncVectorEnv resets them."""
    assert (gymnasium.spec(env_id).vector_entry_point is not None) == (mode == "vector_entry_point")
    heuristic = (lambda obs: int(obs[2] > 0)) if env_id == "CartPole-v1" else (lambda obs: 2 * int(obs[1] > 0))
    ours = evaluate(heuristic, env_id, 6, seed=9)
    np.testing.assert_array_equal(ours, _make_vec_returns(heuristic, env_id, 6, 9, mode))
    assert len(set(ours.tolist())) > 1  # the episodes differ


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="train_dqn: unknown Gymnasium environment 'CartPole-v9000'"):
        train_dqn("CartPole-v9000", seed=0)
    with pytest.raises(ValueError, match="train_reinforce: .*Discrete action space"):
        train_reinforce("Pendulum-v1", seed=0)
    with pytest.raises(ValueError, match="train_reinforce: total_steps must be an integer >= 1, got -5"):
        train_reinforce(seed=0, total_steps=-5)
    with pytest.raises(TypeError, match="train_dqn: unknown hyper-parameter"):
        train_dqn(seed=0, learning_rate=0.1)
    with pytest.raises(TypeError, match="train_dqn: batch_size must be an integer >= 1, got 2.5"):
        train_dqn(seed=0, batch_size=2.5)
    with pytest.raises(ValueError, match="evaluate: episodes"):
        evaluate(lambda o: 0, "CartPole-v1", 0, seed=0)
    with pytest.raises(ValueError, match=r"GreedyPolicy: expected an observation of shape \(4,\)"):
        GreedyPolicy.snapshot(mlp(4, 2, (8,), rng=0), 4)(np.zeros(3))


class _NaNAfterThreeSteps(gymnasium.Wrapper):
    """CartPole whose fourth observation is NaN, as a broken simulator's might be."""

    def reset(self, **kwargs):
        self.n = 0
        return self.env.reset(**kwargs)

    def step(self, action):
        obs, r, term, trunc, info = self.env.step(action)
        self.n += 1
        return (obs * np.nan if self.n > 3 else obs), r, term, trunc, info


class _InfiniteReward(gymnasium.Wrapper):
    def step(self, action):
        obs, r, term, trunc, info = self.env.step(action)
        return obs, np.inf, term, trunc, info


gymnasium.register("test/NaNCartPole-v0", entry_point=lambda: _NaNAfterThreeSteps(gymnasium.make("CartPole-v1")),
                   disable_env_checker=True)
gymnasium.register("test/InfRewardCartPole-v0", entry_point=lambda: _InfiniteReward(gymnasium.make("CartPole-v1")),
                   disable_env_checker=True)
SHORT_DQN = dict(total_steps=300, learning_starts=100, train_every=100, gradient_steps=2, eval_every=300,
                 eval_episodes=2, progress=False)


def test_train_dqn_refuses_a_non_finite_observation_reward_or_loss():
    """None would be stored or trained on silently: NaN would reach every Q value."""
    with pytest.raises(ValueError, match=r"train_dqn: test/NaNCartPole-v0 returned the observation .*nan"):
        train_dqn("test/NaNCartPole-v0", seed=0, **SHORT_DQN)
    with pytest.raises(ValueError, match="train_dqn: test/InfRewardCartPole-v0 returned the reward inf"):
        train_dqn("test/InfRewardCartPole-v0", seed=0, **SHORT_DQN)
    with pytest.raises(ValueError, match="train_dqn: the loss became inf"):
        train_dqn(seed=0, loss=lambda pred, target: (float("inf"), np.zeros_like(pred)), **SHORT_DQN)


def test_training_is_seeded_and_the_kept_policy_is_a_frozen_snapshot():
    a = train_reinforce(seed=3, total_steps=3_000, eval_every=1_000, progress=False)
    b = train_reinforce(seed=3, total_steps=3_000, eval_every=1_000, progress=False)
    assert a.episode_returns == b.episode_returns and len(a.episode_returns) > 0
    assert a.steps >= 3_000 and a.config.total_steps == 3_000
    c = train_dqn(seed=3, total_steps=2_000, learning_starts=500, eval_every=1_000, progress=False)
    d = train_dqn(seed=3, total_steps=2_000, learning_starts=500, eval_every=1_000, progress=False)
    assert c.episode_returns == d.episode_returns and c.losses == d.losses
    assert c.policy.net is not c.network  # later training cannot change the kept policy
    assert c.best_return == max(e[2] for e in c.evaluations)


# --- learning, seeded ------------------------------------------------------------------------


@pytest.mark.slow
def test_reinforce_solves_cartpole():
    result = train_reinforce("CartPole-v1", seed=101, total_steps=150_000, progress=False)
    returns = evaluate(result.policy, "CartPole-v1", 20, seed=2024)
    assert returns.mean() >= 475, (returns.mean(), result.evaluations)


@pytest.mark.slow
def test_dqn_best_checkpoint_solves_cartpole():
    result = train_dqn("CartPole-v1", seed=101, total_steps=60_000, progress=False)
    returns = evaluate(result.policy, "CartPole-v1", 20, seed=2024)
    assert returns.mean() >= 475, (returns.mean(), result.evaluations)


def test_progress_bar_live_but_not_in_the_book_build(monkeypatch) -> None:
    """progress=None: a bar when a reader runs the code, none in the build (static widgets)."""
    from companion._progress import show_progress

    monkeypatch.delenv("COMPANION_WIDGETS", raising=False)
    assert show_progress(None, "t") is True
    monkeypatch.setenv("COMPANION_WIDGETS", "static")
    assert show_progress(None, "t") is False
    assert show_progress(True, "t") is True and show_progress(False, "t") is False
    with pytest.raises(TypeError, match="t: progress must be True, False or None, got str"):
        show_progress("yes", "t")


def test_train_dqn_writes_no_progress_bar_in_the_book_build(monkeypatch, capsys) -> None:
    monkeypatch.setenv("COMPANION_WIDGETS", "static")
    train_dqn("CartPole-v1", seed=0, total_steps=300, learning_starts=100, train_every=100, gradient_steps=2,
              eval_every=300, eval_episodes=2)
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("COMPANION_WIDGETS")
    train_dqn("CartPole-v1", seed=0, total_steps=300, learning_starts=100, train_every=100, gradient_steps=2,
              eval_every=300, eval_episodes=2)
    assert "step" in capsys.readouterr().err  # tqdm's bar, on stderr


@pytest.mark.parametrize(("bad", "error"), [(1.7, TypeError), (-1, ValueError), (2, ValueError), (True, TypeError),
                                            ("1", TypeError), (None, TypeError)])
def test_evaluate_refuses_actions_outside_the_action_space(bad, error) -> None:
    """A policy returning 1.7 used to run as action 1."""
    with pytest.raises(error, match=r"evaluate: the policy returned .* not an action of Discrete\(2\)"):
        evaluate(lambda obs: bad, "CartPole-v1", episodes=1, seed=0)


def test_evaluate_accepts_numpy_integer_actions() -> None:
    returns = evaluate(lambda obs: np.int64(obs[2] > 0), "CartPole-v1", episodes=2, seed=0)
    assert returns.shape == (2,) and np.all(returns >= 1)
