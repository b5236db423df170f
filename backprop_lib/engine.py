"""A scalar autograd engine: :class:`Value` and its table of local derivatives.

Each operation has two halves that sit next to each other in this file:

* the **forward** half, a method on :class:`Value` that computes the result and
  remembers which values it came from;
* the **backward** half, a small module-level function that applies the chain
  rule: ``child.grad += (local derivative) * out.grad``.

The backward rules live at module level (not as a closure per node) and
``Value`` uses ``__slots__``. A closure per node would make every node a
reference cycle, and Python's cyclic garbage collector would then dominate the
run time of a training loop. For the same reason a value keeps its (at most
two) inputs in two slots rather than in a tuple: one object per node instead
of two halves the memory of a graph and the collector's work.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Callable, Iterator, Union

from ._checks import describe

Number = Union[int, float]

__all__ = ["Value", "topological_order", "NonFiniteGradientError"]


class NonFiniteGradientError(OverflowError):
    """``backward()`` met a gradient too large for a float (inf, or NaN from inf - inf).

    The message names the operation where the gradient stopped being finite.
    When it is raised, no ``.grad`` in the graph has changed.
    """


def _as_float(x: object, what: str = "Value") -> float:
    """Return ``x`` as a finite Python float, or raise a clear error."""
    # bool is a subclass of int, and numpy's bool_ is not a real number: both
    # are almost always a mistake when building a graph.
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} expects a real number (int, float or NumPy scalar), got {describe(x)}")
    try:
        value = float(x)
    except OverflowError:  # an int beyond float's range, e.g. 10**400
        digits = len(str(abs(int(x))))
        raise ValueError(
            f"{what} expects a number that fits in a float (at most about 1.8e308), got an int of {digits} digits"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{what} expects a finite number, got {value!r}")
    return value


class Value:
    """A scalar that remembers how it was computed, so it can compute gradients.

    Args:
        data: any finite real number (``int``, ``float`` or a NumPy scalar); it
            is stored as a Python ``float``.
        label: an optional name, shown by :func:`backprop_lib.draw_dot`.

    ``grad`` holds d(root)/d(self) after ``root.backward()``, and starts at 0.0.

    >>> a = Value(2.0, label="a")
    >>> b = a * a + 3 * a
    >>> b.backward()
    >>> a.grad
    7.0
    """

    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_aux")

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {describe(label)}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self._op = ""  # the operation that produced this value; "" for a leaf
        self._a: Value | None = None  # the values it was computed from,
        self._b: Value | None = None  # None where there is no such input
        self._aux = 0.0  # an operation's constant, e.g. the exponent of x**3

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The values this one was computed from, as a tuple (empty for a leaf)."""
        if self._b is not None:
            return (self._a, self._b)
        return () if self._a is None else (self._a,)

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats ``loss.data``; an empty spec gives the repr."""
        return format(self.data, spec) if spec else str(self)

    # NumPy: ``array * value`` must not build an object array of Values. With
    # this, NumPy hands the operation to Value.__rmul__, which refuses arrays.
    __array_ufunc__ = None

    # ------------------------------------------------------ comparisons
    # A Value is a graph node: == and hash are identity, so Values can live in
    # sets and dicts (topological_order relies on it). Ordering compares
    # ``data``, so ``loss < best``, ``max(values)`` and ``sorted(values)`` work.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Value):
            return self is other
        if isinstance(other, numbers.Number):
            raise TypeError(
                f"Value == {other} is ambiguous: == between Values is identity (they are graph nodes). "
                f"To compare the number, use .data: v.data == {other}"
            )
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other) if isinstance(other, (Value, numbers.Number)) else NotImplemented

    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _compare_data(other, "<")

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _compare_data(other, "<=")

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _compare_data(other, ">")

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _compare_data(other, ">=")

    def __float__(self) -> float:
        raise TypeError(
            "float(value) would drop the Value out of the graph, and math.exp(value) etc. would "
            "silently lose the gradient: read the number as value.data, and use value.exp(), value.tanh() ..."
        )

    def __round__(self, ndigits: int | None = None) -> float:
        raise TypeError("round(value) would drop the Value out of the graph: round the number, round(value.data, n)")

    # ------------------------------------------------------------------ forward
    # ``type(other) is not Value`` first: in a network almost every operand is
    # already a Value, and skipping the call to _wrap is measurably faster.
    def __add__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = _wrap(other, "+")
        return _result(self.data + other.data, "+", self, other)

    def __sub__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = _wrap(other, "-")
        return _result(self.data - other.data, "-", self, other)

    def __mul__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = _wrap(other, "*")
        return _result(self.data * other.data, "*", self, other)

    def __truediv__(self, other: Value | Number) -> Value:
        if type(other) is not Value:
            other = _wrap(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by a Value whose data is 0.0 (numerator {self.data!r})")
        return _result(self.data / other.data, "/", self, other)

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            # x ** y with y a Value: d/dy needs log(x), so x must be positive.
            if self.data <= 0.0:
                raise ValueError(f"x ** y with a Value exponent needs x > 0 (its derivative in y uses log x), got x = {self.data!r}")
            return _result(_power(self.data, other.data), "pow", self, other)
        k = _as_float(other, "the exponent of **")
        if self.data < 0.0 and not k.is_integer():
            raise ValueError(f"{self.data!r} ** {k!r} is not a real number: a negative base needs an integer exponent")
        if self.data == 0.0 and k < 0.0:
            raise ZeroDivisionError(f"0.0 ** {k!r} divides by zero")
        return _result(_power(self.data, k), "**", self, None, k)

    def __neg__(self) -> Value:
        return _result(-self.data, "neg", self)

    # The reflected forms: 2 * x, 1 - x, 10 / x, 2 ** x.
    def __radd__(self, other: Number) -> Value:
        return _wrap(other, "+") + self

    def __rsub__(self, other: Number) -> Value:
        return _wrap(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        return _wrap(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:
        return _wrap(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        base = _as_float(other, "the base of **")
        if base <= 0.0:
            raise ValueError(f"c ** x with a Value exponent needs c > 0 (its derivative uses log c), got c = {base!r}")
        return _result(_power(base, self.data), "exp_base", self, None, base)

    def exp(self) -> Value:
        """e ** self."""
        if self.data > 709.782712893384:  # math.log(sys.float_info.max)
            raise OverflowError(f"exp({self.data!r}) overflows a float; inputs above about 709.78 do")
        return _result(math.exp(self.data), "exp", self)

    def log(self) -> Value:
        """The natural logarithm; ``ValueError`` for data <= 0."""
        if self.data <= 0.0:
            raise ValueError(f"log needs a positive input, got {self.data!r}")
        return _result(math.log(self.data), "log", self)

    def tanh(self) -> Value:
        """tanh, exact for every finite input (it never forms e ** 2x)."""
        return _result(math.tanh(self.data), "tanh", self)

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -x), computed without overflow for any finite input."""
        return _result(stable_sigmoid(self.data), "sigmoid", self)

    def relu(self) -> Value:
        """max(0, x). Its derivative at exactly 0 is taken to be 0."""
        return _result(self.data if self.data > 0.0 else 0.0, "relu", self)

    def __abs__(self) -> Value:
        """|x|, an operation in the graph. It has a kink at 0, where its derivative is taken to be 0."""
        return _result(abs(self.data), "abs", self)

    # ----------------------------------------------------------------- backward
    def backward(self, *args: object, **kwargs: object) -> None:
        """Fill in ``.grad`` of every value this one depends on.

        Sets this value's grad to 1, then visits the graph in reverse
        topological order, so a node passes its gradient on only after every
        use of it has added its share. The walk uses an explicit stack, not
        recursion, so graphs of any depth work.

        Gradients of **leaves** accumulate across calls, as in PyTorch: call
        :meth:`zero_grad` (or ``Module.zero_grad``) between steps. Gradients of
        intermediate values are recomputed from zero on each call.

        All or nothing: if a gradient is not a finite float (it overflowed),
        :class:`~backprop_lib.engine.NonFiniteGradientError` names the operation where that
        happened, and every ``.grad`` in the graph is left as it was before
        the call. So is it when a backward rule raises any other error.
        """
        if args or kwargs:
            raise TypeError(
                "backward() takes no arguments: the root's gradient d(root)/d(root) is 1 and backward() starts "
                "from it (the NumPy layers' backward(dvalues) is the one that takes a gradient)"
            )
        order = topological_order(self)
        saved = list(map(_get_grad, order))  # to undo the pass if it fails
        try:
            _run_backward(self, order)
            # One cheap pass: a sum of floats is finite only if every term is
            # (a finite sum that overflows is double-checked entry by entry).
            finite = math.isfinite(sum(map(_get_grad, order))) or all(map(math.isfinite, map(_get_grad, order)))
        except BaseException as error:
            overflow = isinstance(error, (OverflowError, ZeroDivisionError))
            # Described during the replay, while the culprit still holds the grad it passed on.
            where = _describe_node(_failed_node(self, order, saved)) if overflow else ""
            for node, grad in zip(order, saved):
                node.grad = grad
            if overflow and not isinstance(error, NonFiniteGradientError):
                raise NonFiniteGradientError(
                    f"backward() stopped: the gradient overflowed a float at {where}. "
                    "No .grad was changed. The values are too large or too small for this graph; "
                    "was the learning rate too large?"
                ) from error
            raise
        if not finite:
            culprit = _failed_node(self, order, saved)
            where = _describe_node(culprit)
            for node, grad in zip(order, saved):
                node.grad = grad
            lead = "" if culprit is not None and not culprit._op else "the gradient is not a finite float after "
            raise NonFiniteGradientError(
                f"backward() stopped: {lead}{where}. "
                "No .grad was changed. The values are too large or too small for this graph; "
                "was the learning rate too large?"
            )

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this value and every value it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def parents(self) -> tuple:
        """The values this one was computed from (empty for a leaf)."""
        return self._prev

    @property
    def op(self) -> str:
        """The operation that produced this value, e.g. ``"+"``; ``""`` for a leaf."""
        return self._op


_new_value = object.__new__  # makes a Value without running __init__'s checks


_get_grad = operator.attrgetter("grad")  # in C: the cheapest way to read every grad


def _run_backward(root: Value, order: list[Value]) -> None:
    """The backward pass itself: reset the intermediates, then apply each rule."""
    for node in order:
        if node._op:
            node.grad = 0.0
    root.grad = 1.0
    rules = BACKWARD_RULES
    for node in reversed(order):
        if node._op:
            rules[node._op](node)


def _failed_node(root: Value, order: list[Value], saved: list[float]) -> Value | None:
    """Replay a failed backward pass, checking after each rule: the node whose rule broke finiteness.

    Only runs after a failure, so the fast path pays nothing for it. A leaf
    whose grad was already not finite (set by hand, say) is named as such.
    """
    for node, grad in zip(order, saved):
        node.grad = grad
        if not node._op and not math.isfinite(grad):
            return node
    for node in order:
        if node._op:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        if not node._op:
            continue
        try:
            BACKWARD_RULES[node._op](node)
        except (OverflowError, ZeroDivisionError):
            return node
        if not all(math.isfinite(child.grad) for child in node._prev):
            return node
    return None


def _describe_node(node: Value | None) -> str:
    if node is None:
        return "a value whose .grad was already not finite before backward()"
    if not node._op:
        name = f"{node.label!r} " if node.label else ""
        return f"a leaf {name}(data {node.data:.6g}) whose .grad was already not finite before backward() ({node.grad!r})"
    inputs = ", ".join(f"{child.data:.6g}" for child in node._prev)
    return f"the operation {node._op!r} (inputs {inputs}, output {node.data:.6g}, its grad {node.grad:.6g})"


def _compare_data(other: object, op: str) -> float:
    if isinstance(other, Value):
        return other.data
    if isinstance(other, bool) or not isinstance(other, numbers.Real):
        raise TypeError(f"cannot compare a Value with {describe(other)} using {op!r}: expected a real number or a Value")
    return other


def _result(data: float, op: str, a: Value, b: Value | None = None, aux: float = 0.0) -> Value:
    """Build an operation's output (from inputs ``a`` and ``b``) without re-validating ``data``."""
    if not math.isfinite(data):
        raise OverflowError(
            f"the result of {op!r} is not a finite float ({data!r}); "
            "the inputs are too large for this operation"
        )
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._a = a
    out._b = b
    out._aux = aux
    return out


def _power(base: float, exponent: float) -> float:
    """``base ** exponent``; float ** raises OverflowError itself, with a cryptic message."""
    try:
        return base**exponent
    except OverflowError:
        raise OverflowError(f"{base!r} ** {exponent!r} overflows a float") from None


def _wrap(x: object, op: str) -> Value:
    """Let plain numbers take part in operations with a Value."""
    if type(x) is Value:
        return x
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"cannot use {describe(x)} with a Value in {op!r}: expected a real number or a Value")
    return Value(x)


def stable_sigmoid(x: float) -> float:
    """The logistic function without overflow: never forms e ** (large)."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


_EXIT = object()  # on the stack after a node whose inputs are still being visited


def topological_order(root: Value) -> list[Value]:
    """Every value ``root`` depends on, each after all of its inputs.

    An iterative depth-first search (no recursion limit). The order is
    deterministic: inputs are visited left to right.
    """
    order: list[Value] = []
    # Values hash by identity (their __hash__ is object's), so the set holds the
    # nodes themselves: faster than calling id() on every visit.
    visited: set[Value] = set()
    stack: list = [root]
    # A node is pushed, then _EXIT, then its inputs: when _EXIT comes off the
    # stack every input is done, and the node under it joins the order. (No
    # (node, flag) tuple per visit: this is a third of what backward() costs.)
    push, pop, mark, emit = stack.append, stack.pop, visited.add, order.append
    while stack:
        node = pop()
        if node is _EXIT:
            emit(pop())
            continue
        if node in visited:
            continue
        mark(node)
        push(node)
        push(_EXIT)
        # Push the second input first, so the first is visited first.
        b = node._b
        if b is not None and b not in visited:
            push(b)
        a = node._a
        if a is not None and a not in visited:
            push(a)
    return order


# ---------------------------------------------------------------------------
# The table of local derivatives. Each rule reads ``out`` (the result) and adds
# (local derivative) * out.grad to the grad of each input: the chain rule.
# "+=" not "=": a value used twice receives a contribution from each use.
# ---------------------------------------------------------------------------
def _add(out: Value) -> None:  # d(a+b)/da = 1, d(a+b)/db = 1
    a, b = out._a, out._b
    a.grad += out.grad
    b.grad += out.grad


def _sub(out: Value) -> None:  # d(a-b)/da = 1, d(a-b)/db = -1
    a, b = out._a, out._b
    a.grad += out.grad
    b.grad -= out.grad


def _mul(out: Value) -> None:  # d(ab)/da = b, d(ab)/db = a
    a, b = out._a, out._b
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def _div(out: Value) -> None:  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
    a, b = out._a, out._b
    a.grad += out.grad / b.data
    square = b.data * b.data
    if 0.0 < square < math.inf:
        b.grad -= out.grad * a.data / square
    else:  # b*b under- or overflowed: (a/b)/b never forms it
        b.grad -= out.grad * (out.data / b.data)


def _pow_const(out: Value) -> None:  # d(x^k)/dx = k x^(k-1)
    x = out._a
    k = out._aux
    if k == 0.0:
        return  # x^0 is constant
    if x.data == 0.0 and k < 1.0:
        raise ValueError(f"the derivative of x ** {k!r} at x = 0 is infinite")
    x.grad += k * x.data ** (k - 1.0) * out.grad


def _pow(out: Value) -> None:  # d(x^y)/dx = y x^(y-1), d(x^y)/dy = x^y log x
    x, y = out._a, out._b
    x.grad += y.data * x.data ** (y.data - 1.0) * out.grad
    y.grad += out.data * math.log(x.data) * out.grad


def _exp_base(out: Value) -> None:  # d(c^x)/dx = c^x log c
    x = out._a
    x.grad += out.data * math.log(out._aux) * out.grad


def _neg(out: Value) -> None:  # d(-x)/dx = -1
    x = out._a
    x.grad -= out.grad


def _exp(out: Value) -> None:  # d(e^x)/dx = e^x
    x = out._a
    x.grad += out.data * out.grad


def _log(out: Value) -> None:  # d(log x)/dx = 1/x
    x = out._a
    x.grad += out.grad / x.data


def _tanh(out: Value) -> None:  # d(tanh x)/dx = 1 - tanh(x)^2
    x = out._a
    x.grad += (1.0 - out.data * out.data) * out.grad


def _sigmoid(out: Value) -> None:  # d(s(x))/dx = s(x)(1 - s(x))
    x = out._a
    x.grad += out.data * (1.0 - out.data) * out.grad


def _relu(out: Value) -> None:  # d(max(0,x))/dx = 1 if x > 0 else 0
    x = out._a
    if out.data > 0.0:
        x.grad += out.grad


def _abs(out: Value) -> None:  # d|x|/dx = sign(x), taken to be 0 at the kink x = 0
    x = out._a
    if x.data > 0.0:
        x.grad += out.grad
    elif x.data < 0.0:
        x.grad -= out.grad


BACKWARD_RULES: dict[str, Callable[[Value], None]] = {
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": _div,
    "**": _pow_const,
    "pow": _pow,
    "exp_base": _exp_base,
    "neg": _neg,
    "exp": _exp,
    "log": _log,
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
    "abs": _abs,
}
"""Operation symbol -> the function that applies its local derivative."""


def iter_leaves(root: Value) -> Iterator[Value]:
    """The leaves (inputs and parameters) that ``root`` depends on, in order."""
    return (node for node in topological_order(root) if not node._op)
