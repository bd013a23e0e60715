// Package stats holds the small statistics mimir-tui scores windows with:
// sample quantiles, the robust (median/IQR) feature scaler fitted on the
// benign baseline, and the evaluation metrics of a detector (ROC curve, AUC,
// confusion matrix, F1 and the choice of an alert threshold).
//
// Conventions shared by every function here:
//
//   - Quantiles interpolate linearly between order statistics, definition 7
//     of Hyndman & Fan (1996), which is numpy's default (method="linear"),
//     R's default (type 7), and what scikit-learn's RobustScaler uses
//     (numpy.nanpercentile), so a scaler fitted here matches one fitted
//     in the Python prototype's toolchain.
//   - A window alerts when its score is greater than or equal to the
//     threshold, so a threshold t predicts "attacked" for score >= t.
//   - NaN scores mean "no score" (for example, a window before a history is
//     available): the metrics leave them out instead of ranking them.
//   - Undefined ratios (0/0) are 0, as scikit-learn's metrics return with
//     their default zero_division setting.
//
// References:
//
//	R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages",
//	The American Statistician 50(4):361-365, 1996.
//	T. Fawcett, "An introduction to ROC analysis", Pattern Recognition
//	Letters 27(8):861-874, 2006.
//	J. A. Hanley and B. J. McNeil, "The meaning and use of the area under a
//	receiver operating characteristic (ROC) curve", Radiology
//	143(1):29-36, 1982.
package stats
