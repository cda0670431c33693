"""Reinforcement learning on Gymnasium environments: policy gradients and DQN.

Derived in: policy-gradients and dqn.
"""

from companion.rl.bandit import bandit_ascent, bandit_gradient, bandit_objective, score_function_samples
from companion.rl.dqn import DQNConfig, ReplayBuffer, linear_epsilon, q_loss_gather, q_loss_onehot, train_dqn
from companion.rl.envs import make_env
from companion.rl.evaluate import evaluate
from companion.rl.policies import GreedyPolicy, mlp
from companion.rl.reinforce import ReinforceConfig, leave_one_out_baseline, reward_to_go, train_reinforce
from companion.rl.training import TrainResult

__all__ = [
    "train_reinforce", "ReinforceConfig", "reward_to_go", "leave_one_out_baseline",
    "train_dqn", "DQNConfig", "ReplayBuffer", "linear_epsilon", "q_loss_gather", "q_loss_onehot",
    "evaluate", "make_env", "GreedyPolicy", "mlp", "TrainResult",
    "bandit_objective", "bandit_gradient", "score_function_samples", "bandit_ascent",
]
