// Package lasso fits the linear model that scores mimir-tui's windows: a
// LASSO regression of 0/1 attack labels on robust z-scored features, with
// its penalty chosen by cross-validation.
//
// The objective is exactly scikit-learn's Lasso with fit_intercept=True,
//
//	(1/(2n))·‖y − Xβ − b0‖² + α·‖β‖₁,
//
// and the solver is its cyclic coordinate descent (sklearn/linear_model/
// _cd_fast.pyx): X and y are centred so the intercept is not penalised, each
// coordinate is soft-thresholded in turn, and a sweep whose largest
// coefficient change is small triggers a duality-gap check that stops the
// fit once the gap is below tol·‖y − ȳ‖² (tol 1e-4, at most 1000 sweeps).
// When there are more rows than features the sweeps run on the Gram matrix
// XᵀX (scikit-learn's precompute="auto"), which costs p² per sweep instead
// of n·p.
//
// FitCV reproduces LassoCV(cv=5): a grid of 100 alphas, log-spaced from
// AlphaMax (the smallest alpha for which every coefficient is 0) down to
// 1e-3 of it, a warm-started path per fold over contiguous folds (KFold
// without shuffling), the alpha with the least mean squared error averaged
// over the folds, and a refit on all rows. Folds run in parallel; the result
// does not depend on the scheduling.
//
// References:
//
//	R. Tibshirani, "Regression shrinkage and selection via the lasso",
//	J. R. Statist. Soc. B 58(1):267-288, 1996.
//	J. Friedman, T. Hastie and R. Tibshirani, "Regularization paths for
//	generalized linear models via coordinate descent", J. Statistical
//	Software 33(1), 2010.
//	F. Pedregosa et al., "Scikit-learn: machine learning in Python", JMLR
//	12:2825-2830, 2011 (sklearn.linear_model.LassoCV, version 1.2).
package lasso
