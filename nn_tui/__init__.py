"""nn-tui: a terminal tutor that steps through the arithmetic of small neural networks."""

import os

# Lesson-sized matrices are tiny; a multi-threaded BLAS spends more time waking threads than
# multiplying (10x slower on a busy 2-core machine), so pin it to one thread before NumPy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
