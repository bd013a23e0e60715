package graph

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// degenerate is the relative gap below which two eigenvalues (or singular
// values) are taken as equal. LAPACK resolves them to about 1e-15 of the
// largest; anything closer than this cannot pick a direction reliably.
const degenerate = 1e-9

// PrincipalEigenvector returns the unit eigenvector of m's largest
// (algebraic) eigenvalue. For a non-negative matrix such as A+Aᵀ this is
// the Perron vector (Ide and Kashima 2004), non-negative up to rounding;
// largest algebraic rather than largest magnitude matters for bipartite
// graphs, whose spectra are symmetric about 0.
//
// The sign is canonical: the sum of the components is positive. When the
// largest eigenvalue is repeated (within a relative 1e-9), the eigenvector
// is not unique and LAPACK's choice would be arbitrary; the result is then
// the normalised projection of the all-ones vector onto the eigenspace,
// which does not depend on the basis LAPACK returns. If the all-ones vector
// is orthogonal to the eigenspace (sum zero), the projection of the basis
// vector e_k with the largest projection is used instead (smallest such k),
// which for a simple eigenvalue makes the largest-magnitude component
// positive.
//
// A matrix of more than 64 rows with no negative entry is reduced to its
// non-zero rows (the others get exactly 0). If more than 64 remain, the
// vector is found by the Lanczos method from the all-ones vector on the
// non-zero entries, O(entries + k·n) per step k, instead of the dense
// decomposition, O(n³); it agrees with the dense result to about
// 1e-12/gap, gap the relative distance from the largest eigenvalue to the
// next, is non-negative, and for gaps too small to resolve in 128 steps is
// a non-negative mixture of the nearly tied eigenvectors (see
// lanczosPrincipal). Other matrices are decomposed densely.
//
// It returns all zeros for a zero matrix, NaNs if m holds a NaN or infinite
// entry or the decomposition fails, and an empty slice for a nil or empty m.
func PrincipalEigenvector(m *mat.SymDense) []float64 {
	if m == nil || m.IsEmpty() {
		return []float64{}
	}
	n := m.SymmetricDim()
	if n <= denseMax {
		return denseEigen(m)
	}
	var es []entry
	for i := range n {
		for j := i; j < n; j++ {
			if x := m.At(i, j); x != 0 {
				es = append(es, entry{i, j, x})
			}
		}
	}
	return principalEntries(n, es)
}

// denseEigen is PrincipalEigenvector by a dense decomposition of m.
func denseEigen(m *mat.SymDense) []float64 {
	n := m.SymmetricDim()
	v := make([]float64, n)
	var big float64
	for i := range n {
		for j := i; j < n; j++ {
			x := m.At(i, j)
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nanVec(v)
			}
			big = math.Max(big, math.Abs(x))
		}
	}
	if big == 0 {
		return v
	}
	// Eigenvectors do not change under scaling; scaling keeps LAPACK far
	// from overflow when byte counts are large.
	s := mat.NewSymDense(n, nil)
	s.ScaleSym(1/big, m)

	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nanVec(v)
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	top := vals[n-1]
	var scale float64
	for _, x := range vals {
		scale = math.Max(scale, math.Abs(x))
	}
	first := n - 1
	for first > 0 && top-vals[first-1] <= degenerate*scale {
		first--
	}
	basis := vecs.Slice(0, n, first, n).(*mat.Dense)
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	return canonical(basis, ones)
}

// canonical returns the normalised projection of pref onto the column space
// of basis (orthonormal columns), or, when pref has no component there, of
// the standard basis vector with the largest projection.
func canonical(basis *mat.Dense, pref []float64) []float64 {
	n, k := basis.Dims()
	proj := func(dir []float64) []float64 {
		var c, p mat.VecDense
		c.MulVec(basis.T(), mat.NewVecDense(n, dir))
		p.MulVec(basis, &c)
		return p.RawVector().Data
	}
	if pn := floats.Norm(pref, 2); pn > 0 {
		p := proj(pref)
		if nrm := floats.Norm(p, 2); nrm > degenerate*pn {
			floats.Scale(1/nrm, p)
			return p
		}
	}
	best, bestNorm := 0, -1.0
	for i := range n {
		var r float64
		for j := range k {
			r += basis.At(i, j) * basis.At(i, j)
		}
		if r > bestNorm*(1+degenerate) {
			best, bestNorm = i, r
		}
	}
	e := make([]float64, n)
	e[best] = 1
	p := proj(e)
	floats.Scale(1/floats.Norm(p, 2), p)
	return p
}

func nanVec(v []float64) []float64 {
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

// Activity returns the Ide–Kashima activity vector of g over a fixed node
// list: the principal eigenvector (see PrincipalEigenvector) of the
// symmetric byte matrix A+Aᵀ, where A[i][j] is the bytes from order[i] to
// order[j]. Names absent from g give zero rows. Self edges count, on the
// diagonal as 2·bytes: on a service graph they are the traffic inside a
// service. A name listed twice gets two identical rows.
//
// Over more than 64 names the matrix is never formed densely: its non-zero
// entries go to PrincipalEigenvector's sparse path, so the cost is
// O(edges + k·n) per Lanczos step k rather than O(n³).
func Activity(g *Graph, order []string) []float64 {
	n := len(order)
	if n == 0 {
		return []float64{}
	}
	pos := make(map[int][]int, n)
	for i, name := range order {
		if id, ok := g.Lookup(name); ok {
			pos[id] = append(pos[id], i)
		}
	}
	var bmax float64
	for _, e := range g.edges {
		if len(pos[e.From]) > 0 && len(pos[e.To]) > 0 {
			bmax = math.Max(bmax, e.Bytes)
		}
	}
	if bmax == 0 {
		return make([]float64, n)
	}
	// Adding w at (p,q) of A and at (q,p) of Aᵀ: (p,q) of A+Aᵀ gains w
	// once per direction, and the diagonal gains 2w.
	var es []entry
	for _, e := range g.edges {
		w := e.Bytes / bmax // scaled so that sums cannot overflow
		for _, p := range pos[e.From] {
			for _, q := range pos[e.To] {
				if p == q {
					es = append(es, entry{p, p, 2 * w})
				} else {
					es = append(es, entry{p, q, w})
				}
			}
		}
	}
	if n > denseMax {
		return principalEntries(n, es)
	}
	a := mat.NewSymDense(n, nil)
	for _, e := range es { // SetSym writes both triangles
		a.SetSym(e.i, e.j, a.At(e.i, e.j)+e.v)
	}
	return PrincipalEigenvector(a)
}

// TypicalPattern returns the typical activity pattern of a history of
// activity vectors (Ide and Kashima 2004): the first left singular vector of
// the matrix whose columns are the history's vectors, with its sign chosen
// to point along the history's mean (positive dot product). Ties for the
// largest singular value and a mean orthogonal to the singular subspace are
// resolved as in PrincipalEigenvector, with the mean in place of the
// all-ones vector.
//
// Vectors holding NaN or infinite values are left out. It returns nil for
// an empty history, all zeros if every vector is zero or left out, and NaNs
// if the decomposition fails. All vectors must have the same length.
func TypicalPattern(history [][]float64) []float64 {
	if len(history) == 0 {
		return nil
	}
	n := len(history[0])
	var cols [][]float64
	var big float64
	for k, h := range history {
		if len(h) != n {
			panic(fmt.Sprintf("graph: TypicalPattern: history[%d] has length %d, history[0] has %d", k, len(h), n))
		}
		ok := true
		for _, x := range h {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				ok = false
				break
			}
		}
		if ok {
			cols = append(cols, h)
			big = math.Max(big, floats.Norm(h, math.Inf(1)))
		}
	}
	u := make([]float64, n)
	if big == 0 || n == 0 {
		return u
	}
	a := mat.NewDense(n, len(cols), nil)
	mean := make([]float64, n)
	for j, h := range cols {
		for i, x := range h {
			x /= big
			a.Set(i, j, x)
			mean[i] += x / float64(len(cols))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nanVec(u)
	}
	sv := svd.Values(nil) // descending
	last := 0
	for last+1 < len(sv) && sv[0]-sv[last+1] <= degenerate*sv[0] {
		last++
	}
	var us mat.Dense
	svd.UTo(&us)
	return canonical(us.Slice(0, n, 0, last+1).(*mat.Dense), mean)
}

// IdeScore returns the Ide–Kashima anomaly score 1 − r·x of an activity
// vector x against the typical pattern r, computed on the normalised
// vectors (so it is 1 − cos θ, the same for unit inputs) and clamped to
// [0, 2]. It is NaN if either vector is zero or not finite, or their lengths
// differ.
func IdeScore(r, x []float64) float64 {
	if len(r) != len(x) {
		return math.NaN()
	}
	nr, nx := floats.Norm(r, 2), floats.Norm(x, 2)
	if !(nr > 0) || !(nx > 0) || math.IsInf(nr, 0) || math.IsInf(nx, 0) {
		return math.NaN()
	}
	var dot float64
	for i := range r {
		dot += (r[i] / nr) * (x[i] / nx)
	}
	return min(max(1-dot, 0), 2)
}
