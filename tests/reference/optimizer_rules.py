"""optimizer_rules.py - gdsweep's optimizers and schedules, transcribed from published sources.

An independent second transcription, written from the papers and official docs (not from
gdsweep's C code), so that tests/e2e/test_optimizer_rules.py can compare the binary's
paths against it step by step. Conventions:

- An optimizer is `rule(gradient, x0, rates, **hyperparameters)`: `gradient(x)` returns
  the gradient at x (a NumPy array), x0 is the start point, and rates[t - 1] is lr_t, the
  rate of step t (t = 1, 2, ... as in the papers). It returns the iterates x_0 .. x_N as
  an array of shape (N + 1, n). State (velocity, moments) starts at zero.
- A schedule is `schedule(lr0, t, **keys)`: the rate of the step taken from x_t, with t the
  0-based iteration index. gdsweep's lr_t (1-based step t) is schedule(lr0, t - 1).
"""
import math

import numpy as np


# ---------------------------------------------------------------- schedules

def constant(lr0, t):
    """The base rate lr0 at every step (torch.optim.SGD without a scheduler)."""
    return lr0


def inverse_time(lr0, t, decay_steps):
    """lr0 / (1 + t / decay_steps): tf.keras.optimizers.schedules.InverseTimeDecay docs,
    `initial_learning_rate / (1 + decay_rate * step / decay_steps)` with decay_rate = 1."""
    return lr0 / (1 + t / decay_steps)


def exponential(lr0, t, gamma, decay_steps):
    """lr0 * gamma^(t / decay_steps): tf.keras.optimizers.schedules.ExponentialDecay docs
    (staircase=False), `initial_learning_rate * decay_rate ^ (step / decay_steps)`;
    torch.optim.lr_scheduler.ExponentialLR is the case decay_steps = 1."""
    return lr0 * gamma ** (t / decay_steps)


def step(lr0, t, gamma, decay_steps):
    """lr0 * gamma^floor(t / decay_steps): torch.optim.lr_scheduler.StepLR docs (the rate
    is multiplied by gamma every step_size = decay_steps steps); the same as Keras
    ExponentialDecay with staircase=True."""
    return lr0 * gamma ** math.floor(t / decay_steps)


def cosine(lr0, t, iterations, lr_min):
    """lr_min + (lr0 - lr_min)(1 + cos(pi t / iterations)) / 2: Loshchilov & Hutter 2017
    (SGDR), eq. 5, eta_t = eta_min + 1/2 (eta_max - eta_min)(1 + cos(pi T_cur / T_i)), one
    period without restart, T_i = the run's budget; also the closed form in the
    torch.optim.lr_scheduler.CosineAnnealingLR docs with T_max = iterations."""
    return lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * t / iterations))


SCHEDULES = {"constant": constant, "inverse_time": inverse_time, "exponential": exponential,
             "step": step, "cosine": cosine}


def rates(schedule, lr0, steps, **keys):
    """lr_1 .. lr_steps of a run: the schedule at the 0-based iterations 0 .. steps - 1."""
    return [SCHEDULES[schedule](lr0, t, **keys) for t in range(steps)]


# ---------------------------------------------------------------- optimizers

def gd(gradient, x0, rates):
    """Gradient descent (Cauchy 1847): x_t = x_{t-1} - lr_t g(x_{t-1})."""
    xs = [np.array(x0, dtype=float)]
    for lr in rates:
        x = xs[-1]
        xs.append(x - lr * gradient(x))
    return np.array(xs)


def momentum(gradient, x0, rates, momentum):
    """Classical (heavy-ball) momentum, Sutskever, Martens, Dahl & Hinton 2013, "On the
    importance of initialization and momentum in deep learning", eqs. (1)-(2):
    v_{t+1} = mu v_t - eps_t grad f(theta_t); theta_{t+1} = theta_t + v_{t+1}."""
    mu = momentum
    xs = [np.array(x0, dtype=float)]
    v = np.zeros_like(xs[0])
    for lr in rates:
        theta = xs[-1]
        v = mu * v - lr * gradient(theta)
        xs.append(theta + v)
    return np.array(xs)


def nag(gradient, x0, rates, momentum):
    """Nesterov's accelerated gradient as momentum, Sutskever et al. 2013, eqs. (3)-(4):
    v_{t+1} = mu v_t - eps_t grad f(theta_t + mu v_t); theta_{t+1} = theta_t + v_{t+1}."""
    mu = momentum
    xs = [np.array(x0, dtype=float)]
    v = np.zeros_like(xs[0])
    for lr in rates:
        theta = xs[-1]
        v = mu * v - lr * gradient(theta + mu * v)
        xs.append(theta + v)
    return np.array(xs)


def adagrad(gradient, x0, rates, eps):
    """AdaGrad, Duchi, Hazan & Singer 2011, "Adaptive subgradient methods for online
    learning and stochastic optimization", Figure 1 (AdaGrad with diagonal matrices) without
    regulariser: x_{t+1} = x_t - eta H_t^{-1} g_t, H_t = delta I + diag(s_t),
    s_{t,i} = ||g_{1:t,i}||_2 = sqrt(G_{t,i}), G_t = sum_{tau <= t} g_tau^2 elementwise;
    so x_{t+1} = x_t - eta_t g_t / (sqrt(G_t) + delta), delta = eps."""
    xs = [np.array(x0, dtype=float)]
    G = np.zeros_like(xs[0])
    for lr in rates:
        x = xs[-1]
        g = gradient(x)
        G = G + g * g
        xs.append(x - lr * g / (np.sqrt(G) + eps))
    return np.array(xs)


def rmsprop(gradient, x0, rates, decay, eps):
    """RMSProp, Tieleman & Hinton 2012, Coursera lecture 6e ("divide the gradient by a
    running average of its recent magnitude": MeanSquare = decay MeanSquare + (1 - decay)
    g^2), with eps added outside the root as in the torch.optim.RMSprop docs (alpha =
    decay): v_t = alpha v_{t-1} + (1 - alpha) g_t^2; theta_t = theta_{t-1} - lr g_t /
    (sqrt(v_t) + eps)."""
    xs = [np.array(x0, dtype=float)]
    s = np.zeros_like(xs[0])
    for lr in rates:
        x = xs[-1]
        g = gradient(x)
        s = decay * s + (1 - decay) * g * g
        xs.append(x - lr * g / (np.sqrt(s) + eps))
    return np.array(xs)


def adam(gradient, x0, rates, beta1, beta2, eps):
    """Adam, Kingma & Ba 2015, Algorithm 1: m_t = b1 m_{t-1} + (1 - b1) g_t;
    v_t = b2 v_{t-1} + (1 - b2) g_t^2; mhat_t = m_t / (1 - b1^t); vhat_t = v_t / (1 - b2^t);
    theta_t = theta_{t-1} - alpha_t mhat_t / (sqrt(vhat_t) + eps)."""
    xs = [np.array(x0, dtype=float)]
    m = np.zeros_like(xs[0])
    v = np.zeros_like(xs[0])
    for t, lr in enumerate(rates, start=1):
        theta = xs[-1]
        g = gradient(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mhat = m / (1 - beta1 ** t)
        vhat = v / (1 - beta2 ** t)
        xs.append(theta - lr * mhat / (np.sqrt(vhat) + eps))
    return np.array(xs)


def adamw(gradient, x0, rates, beta1, beta2, eps, weight_decay):
    """AdamW, Loshchilov & Hutter 2019, "Decoupled weight decay regularization",
    Algorithm 2, in the parametrisation of the torch.optim.AdamW docs:
    theta_t = theta_{t-1} - gamma_t lambda theta_{t-1}, then Adam's step with gamma_t, where
    the gradient g_t is taken at theta_{t-1}. In the paper's notation theta_t = theta_{t-1}
    - eta_t (alpha mhat_t / (sqrt(vhat_t) + eps) + lambda_paper theta_{t-1}) with
    alpha = lr0, schedule multiplier eta_t = lr_t / lr0 and lambda_paper = lr0 * weight_decay;
    the two agree up to rounding."""
    xs = [np.array(x0, dtype=float)]
    m = np.zeros_like(xs[0])
    v = np.zeros_like(xs[0])
    for t, lr in enumerate(rates, start=1):
        theta = xs[-1]
        g = gradient(theta)
        decayed = theta - lr * weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mhat = m / (1 - beta1 ** t)
        vhat = v / (1 - beta2 ** t)
        xs.append(decayed - lr * mhat / (np.sqrt(vhat) + eps))
    return np.array(xs)


def amsgrad(gradient, x0, rates, beta1, beta2, eps, bias_correction=True):
    """AMSGrad. bias_correction=True: the bias-corrected form of the torch.optim.Adam docs
    with amsgrad=True (also Keras): vmax_t = max(vmax_{t-1}, v_t) on the raw v;
    theta_t = theta_{t-1} - lr_t mhat_t / (sqrt(vmax_t / (1 - b2^t)) + eps).
    bias_correction=False: Reddi, Kale & Kumar 2018, "On the convergence of Adam and
    beyond", Algorithm 2 with constant beta1 and an eps guard: m_t = b1 m_{t-1} + (1 - b1)
    g_t; v_t = b2 v_{t-1} + (1 - b2) g_t^2; vhat_t = max(vhat_{t-1}, v_t);
    x_{t+1} = x_t - alpha_t m_t / (sqrt(vhat_t) + eps) (no projection: unconstrained)."""
    xs = [np.array(x0, dtype=float)]
    m = np.zeros_like(xs[0])
    v = np.zeros_like(xs[0])
    vmax = np.zeros_like(xs[0])
    for t, lr in enumerate(rates, start=1):
        theta = xs[-1]
        g = gradient(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        vmax = np.maximum(vmax, v)
        if bias_correction:
            step = lr * (m / (1 - beta1 ** t)) / (np.sqrt(vmax / (1 - beta2 ** t)) + eps)
        else:
            step = lr * m / (np.sqrt(vmax) + eps)
        xs.append(theta - step)
    return np.array(xs)


def nadam_momentum(beta1, t, momentum_decay):
    """Dozat's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)), psi = momentum_decay
    (Dozat 2016, Section 3; torch.optim.NAdam and Keras Nadam docs, psi = 0.004 by default).
    psi = 0 means the constant mu_t = beta1 (Dozat's Algorithm 2 with constant beta1)."""
    if momentum_decay == 0:
        return beta1
    return beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))


def nadam(gradient, x0, rates, beta1, beta2, eps, momentum_decay):
    """NAdam, Dozat 2016, "Incorporating Nesterov momentum into Adam", Algorithm 2, with the
    moments accumulated as in the torch.optim.NAdam docs (m with the constant beta1):
    m_t = b1 m_{t-1} + (1 - b1) g_t; v_t = b2 v_{t-1} + (1 - b2) g_t^2;
    theta_t = theta_{t-1} - lr_t [(1 - mu_t) g_t / (1 - prod_{i<=t} mu_i)
              + mu_{t+1} m_t / (1 - prod_{i<=t+1} mu_i)] / (sqrt(v_t / (1 - b2^t)) + eps).
    (torch 1.13's implementation had a bug, pytorch PR #92699; this follows the docs.)"""
    xs = [np.array(x0, dtype=float)]
    m = np.zeros_like(xs[0])
    v = np.zeros_like(xs[0])
    mu_product = 1.0
    for t, lr in enumerate(rates, start=1):
        theta = xs[-1]
        g = gradient(theta)
        mu_t = nadam_momentum(beta1, t, momentum_decay)
        mu_next = nadam_momentum(beta1, t + 1, momentum_decay)
        mu_product = mu_product * mu_t
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mbar = (1 - mu_t) * g / (1 - mu_product) + mu_next * m / (1 - mu_product * mu_next)
        vhat = v / (1 - beta2 ** t)
        xs.append(theta - lr * mbar / (np.sqrt(vhat) + eps))
    return np.array(xs)


OPTIMIZERS = {"gd": gd, "momentum": momentum, "nag": nag, "adagrad": adagrad,
              "rmsprop": rmsprop, "adam": adam, "adamw": adamw, "amsgrad": amsgrad,
              "nadam": nadam}


# ---------------------------------------------------------------- objectives' gradients

def quadratic_gradient(a, b):
    """f(x) = a x^2 + b x + c: f'(x) = 2 a x + b."""
    return lambda x: 2 * a * x + b


def rosenbrock_gradient(a, b):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2: (-2 (a - x) - 4 b x (y - x^2), 2 b (y - x^2))."""
    def gradient(p):
        x, y = p
        return np.array([-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)])
    return gradient


def curvefit_gradient(xs, ys):
    """f(p) = mean((P(x_i) - y_i)^2), P(x) = sum_k p_k x^(d - k) (highest power first):
    df/dp_k = 2 / N sum_i (P(x_i) - y_i) x_i^(d - k)."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)

    def gradient(p):
        powers = np.vander(xs, len(p))          # column k is x^(d - k)
        residual = powers @ p - ys
        return 2 * (powers.T @ residual) / len(xs)
    return gradient
