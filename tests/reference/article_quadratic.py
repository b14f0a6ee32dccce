#!/usr/bin/python3
"""article_quadratic.py - the seed article's quadratic examples, run as the article wrote them.

An independent computation of the numbers experiments/seed.ini must reproduce: each
optimizer exactly as in the article (numerical gradient, epsilon 1e-7), with the call-site
bug of its comparison section fixed (each optimizer with its own settings). Prints the
final x and cost of each run with 17 significant digits; tests/test_article.c keeps them.
"""
import numpy as np


def cost_function(x):
    return x**2 + 5*x + 10


def gradient(func, x, epsilon=1e-7):
    return (func(x + epsilon) - func(x - epsilon)) / (2 * epsilon)


def gradient_descent(func, initial_x, learning_rate, num_iterations):
    x = initial_x
    for _ in range(num_iterations):
        x = x - learning_rate * gradient(func, x)
    return x


def adaptive_gradient_descent(func, initial_x, initial_lr, num_iterations):
    x = initial_x
    for i in range(num_iterations):
        grad = gradient(func, x)
        lr = initial_lr / (1 + i / 50)
        x = x - lr * grad
    return x


def momentum_gradient_descent(func, initial_x, learning_rate, momentum, num_iterations):
    x, velocity = initial_x, 0
    for _ in range(num_iterations):
        grad = gradient(func, x)
        velocity = momentum * velocity - learning_rate * grad
        x = x + velocity
    return x


def nag_gradient_descent(func, initial_x, learning_rate, momentum, num_iterations):
    x, velocity = initial_x, 0
    for _ in range(num_iterations):
        x_ahead = x + momentum * velocity
        grad = gradient(func, x_ahead)
        velocity = momentum * velocity - learning_rate * grad
        x = x + velocity
    return x


def adagrad(func, initial_x, learning_rate, num_iterations, epsilon=1e-8):
    x, accumulated_grad = initial_x, 0
    for _ in range(num_iterations):
        grad = gradient(func, x)
        accumulated_grad += grad ** 2
        x = x - (learning_rate / (np.sqrt(accumulated_grad) + epsilon)) * grad
    return x


def rmsprop(func, initial_x, learning_rate, decay_rate, num_iterations, epsilon=1e-8):
    x, moving_avg = initial_x, 0
    for _ in range(num_iterations):
        grad = gradient(func, x)
        moving_avg = decay_rate * moving_avg + (1 - decay_rate) * grad ** 2
        x = x - (learning_rate / (np.sqrt(moving_avg) + epsilon)) * grad
    return x


def adam(func, initial_x, learning_rate, beta1, beta2, num_iterations, epsilon=1e-8):
    x, m, v = initial_x, 0, 0
    for t in range(1, num_iterations + 1):
        grad = gradient(func, x)
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        x = x - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
    return x


RUNS = [
    ("gd", gradient_descent(cost_function, 5, 0.1, 100)),
    ("gd_50", gradient_descent(cost_function, 5, 0.1, 50)),
    ("adaptive", adaptive_gradient_descent(cost_function, 5, 0.5, 100)),
    ("momentum", momentum_gradient_descent(cost_function, 5, 0.1, 0.9, 100)),
    ("nag", nag_gradient_descent(cost_function, 5, 0.1, 0.9, 100)),
    ("adagrad", adagrad(cost_function, 5, 0.5, 100)),
    ("rmsprop", rmsprop(cost_function, 5, 0.01, 0.9, 100)),
    ("adam", adam(cost_function, 5, 0.01, 0.9, 0.999, 100)),
]

if __name__ == "__main__":
    for name, x in RUNS:
        print(f"{name:10s} x = {float(x):.17g}  cost = {float(cost_function(x)):.17g}")
