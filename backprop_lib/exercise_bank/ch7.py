"""Chapter 7's exercises (training a network): graders and hints."""

from __future__ import annotations

from ..engine import Value
from ..exercises import Feedback, check, exercise
from ..nn import MLP

# Exercise 2's problem: three scores and their targets.
HINGE_SCORES = (1.5, -2.0, 0.5)
HINGE_TARGETS = (1.0, 1.0, -1.0)

# Exercise 4's problem: a small network, four points, the squared error.
TRAIN_POINTS = ([0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0])
TRAIN_TARGETS = (1.0, 1.0, -1.0, -1.0)
TRAIN_STEPS = 20


@exercise("7-1", hint="count weights and biases layer by layer (a neuron has one weight per input, plus a bias); "
          "then ask how many times central differences run the network for each parameter.")
def _grade_1(answer: object) -> Feedback:
    return check(answer, lambda: 2 * len(MLP(3, [8, 8, 1]).parameters()), decimals=0)


def _hinge_gradient() -> list[float]:
    """d/ds of the mean hinge loss at exercise 2's scores, by the engine."""
    scores = [Value(s) for s in HINGE_SCORES]
    margins = [(1 - t * s).relu() for t, s in zip(HINGE_TARGETS, scores)]
    (sum(margins) * (1 / len(margins))).backward()
    return [s.grad for s in scores]


@exercise("7-2", hint="work out each margin 1 - t*s first: a point whose margin is not positive gets no gradient, "
          "and the mean divides every other point's share by N.")
def _grade_2(answer: object) -> Feedback:
    return check(answer, _hinge_gradient, decimals=3)


@exercise("7-3", needs_numpy=True,
          hint="run a gradient check on a few scores and compare the two columns entry by entry: "
          "is the difference the same kind everywhere? Think about what taking the mean does to each share.")
def _grade_3(answer: object) -> Feedback:
    import numpy as np

    from ..gradcheck import GradientCheck, numerical_gradient

    if not isinstance(answer, type):
        return Feedback(False, f"expected the class HingeLoss itself (answer = HingeLoss), got {type(answer).__name__}.")
    rng = np.random.default_rng(7)
    # Scores kept away from the kink at margin 0, where a finite difference would straddle it.
    scores = rng.uniform(0.2, 1.6, size=(6, 1)) * rng.choice([-1.0, 1.0], size=(6, 1))
    targets = rng.choice([-1.0, 1.0], size=(6, 1))
    try:
        layer = answer()
        layer.forward(scores, targets)
        analytic = np.asarray(layer.backward(), dtype=float)
        numeric = numerical_gradient(lambda: float(answer().forward(scores, targets)), scores)
    except Exception as error:  # the learner's class may raise anything: report it
        return Feedback(False, f"running your HingeLoss raised {type(error).__name__}: {error}.")
    if analytic.shape != scores.shape:
        return Feedback(False, f"backward returned shape {analytic.shape}, expected the scores' shape {scores.shape}.")
    gradient_check = GradientCheck()
    for i in range(len(scores)):
        gradient_check.add(f"ds[{i}]", float(analytic[i, 0]), float(numeric[i, 0]))
    if gradient_check.passed(tol=1e-6):
        return Feedback(True, f"its backward passes the gradient check on {len(scores)} scores.")
    worst = max(range(len(scores)), key=lambda i: gradient_check.errors[i])
    return Feedback(False, f"the gradient check fails: ds[{worst}] is {analytic[worst, 0]:.4g} by your backward, "
                    f"{numeric[worst, 0]:.4g} by finite differences.")


def _reference_training(steps: int) -> list[float]:
    """Exercise 4's loop, with zero_grad."""
    model = MLP(2, [4, 1], rng=0)
    losses = []
    for _ in range(steps):
        loss = sum((model(x) - y) ** 2 for x, y in zip(TRAIN_POINTS, TRAIN_TARGETS)) * 0.25
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
        losses.append(loss.data)
    return losses


@exercise("7-4", hint="print p.grad for one parameter at the first two steps, next to the gradient of that step "
          "alone: where does the extra come from?")
def _grade_4(answer: object) -> Feedback:
    if not callable(answer):
        return Feedback(False, f"expected your function train (answer = train), got {type(answer).__name__}.")
    try:
        losses = answer(TRAIN_STEPS)
    except Exception as error:  # the learner's code may raise anything: report it
        return Feedback(False, f"train({TRAIN_STEPS}) raised {type(error).__name__}: {error}.")
    if losses is None:
        return Feedback(False, "train returned None: return the list of losses.", answered=False)
    want = _reference_training(TRAIN_STEPS)
    if not check(losses, want, tol=1e-9):
        try:
            step = next(k for k, (a, b) in enumerate(zip(losses, want)) if not check(a, b, tol=1e-9))
            where = f"from step {step} on (loss {float(losses[step]):.4g}, a correct loop has {want[step]:.4g})"
        except (StopIteration, TypeError, ValueError):
            where = f"(expected a list of {TRAIN_STEPS} losses)"
        return Feedback(False, f"its losses differ from a correct loop's {where}.")
    return Feedback(True, f"its {TRAIN_STEPS} losses match a correct training loop.")


def _largest_learning_rate() -> float:
    """For L = 3 w**2, a step multiplies w by 1 - alpha * L'' ; |.| < 1 needs alpha < 2 / L''."""
    w = Value(1.0)
    (3 * w * w).backward()
    curvature = w.grad / w.data  # L'(w) = L'' * w for a quadratic through 0
    return 2 / curvature


@exercise("7-5", hint="write one step as w <- w - alpha * L'(w), which is (some factor) * w; "
          "the step shrinks w only while that factor lies strictly between -1 and 1.")
def _grade_5(answer: object) -> Feedback:
    return check(answer, _largest_learning_rate, decimals=3)
