"""The exercises of each chapter: how an answer is graded and the hint for a wrong one.

One module per chapter (``ch1`` ... ``ch7``), loaded when one of its exercises is
first checked through :func:`backprop_lib.exercises.check_exercise`. A grader
recomputes the expected answer from the problem (with the engine or a reference
function); nothing here is a typed-in result.
"""
