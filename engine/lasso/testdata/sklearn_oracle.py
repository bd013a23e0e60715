"""Write sklearn_oracle.json: data sets and what scikit-learn fits on them.

The Go tests of engine/lasso compare FitCV and PathWith with these numbers.
Run with Debian 12's python3-sklearn (scikit-learn 1.2.1, numpy 1.24.2):

    python3 sklearn_oracle.py > sklearn_oracle.json

The data are generated here with fixed seeds and stored in the JSON, so the
Go tests need neither Python nor scikit-learn.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LassoCV, lasso_path


def signal():
    """3 signal features, 6 pure-noise features made orthogonal to the
    signal and to y in-sample (so their full-data coefficients are exactly 0
    at every alpha), 1 constant feature; uncentred columns; noise sd 1."""
    rng = np.random.default_rng(1)
    n = 200
    xs = rng.standard_normal((n, 3))
    y = 4 + xs @ np.array([2.0, -1.5, 1.0]) + rng.standard_normal(n)
    basis = np.column_stack([np.ones(n), xs, y])
    q, _ = np.linalg.qr(basis)
    noise = rng.standard_normal((n, 6))
    noise -= q @ (q.T @ noise)
    noise /= noise.std(axis=0)
    X = np.column_stack([xs, noise, np.full(n, 7.0)])
    X += np.array([10, -5, 0.5, 1, 2, 3, 4, 5, 6, 0])  # offsets exercise the intercept
    return X, y


def correlated():
    """123 rows (uneven folds), 30 features with correlation 0.6^|i-j|,
    5 non-zero true coefficients, noise sd 2."""
    rng = np.random.default_rng(2)
    n, p = 123, 30
    cov = 0.6 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), cov, size=n)
    beta = np.zeros(p)
    beta[[0, 4, 9, 17, 25]] = [3, -2, 1.5, 1, -0.5]
    y = X @ beta + 2 * rng.standard_normal(n)
    return X, y


def wide():
    """More features (60) than rows (40): the residual solver."""
    rng = np.random.default_rng(3)
    n, p = 40, 60
    X = rng.standard_normal((n, p))
    y = 2 * X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(n)
    return X, y


def labels():
    """The detector's shape: 200 benign rows then 100 attacked rows (0/1
    targets in contiguous blocks), 2 of 12 z-score features shift when
    attacked."""
    rng = np.random.default_rng(4)
    n, p = 300, 12
    y = np.r_[np.zeros(200), np.ones(100)]
    X = rng.standard_normal((n, p))
    X[:, 0] += 1.5 * y
    X[:, 5] += 0.8 * y
    return X, y


def main():
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "sets": {}}
    for name, make in [("signal", signal), ("correlated", correlated), ("wide", wide), ("labels", labels)]:
        X, y = make()
        cv = LassoCV(cv=5).fit(X, y)  # KFold(5) without shuffling
        # A tight-tolerance path over the same grid, for the solver alone.
        alphas, coefs, _ = lasso_path(X - X.mean(axis=0), y - y.mean(), alphas=cv.alphas_, tol=1e-12, max_iter=100000)
        out["sets"][name] = {
            "X": X.tolist(),
            "y": y.tolist(),
            "alpha_max": float(cv.alphas_[0]),
            "alphas": cv.alphas_.tolist(),
            "cv_mse": cv.mse_path_.mean(axis=1).tolist(),
            "alpha": float(cv.alpha_),
            "coef": cv.coef_.tolist(),
            "intercept": float(cv.intercept_),
            "path_coefs": coefs.T.tolist(),  # [alpha][feature], tol 1e-12
        }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
