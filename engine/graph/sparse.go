package graph

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// denseMax is the largest number of rows (non-zero rows, for a large
// non-negative matrix) whose principal eigenvector is found by a dense
// decomposition, O(n³). Above it, the Lanczos method works on the non-zero
// entries only.
const denseMax = 64

// Lanczos stops when the residual ‖Sx − θx‖ of its Ritz pair is at most
// lanczosTol times the largest absolute row sum of S (a bound on ‖S‖), or
// after lanczosMaxSteps steps. The angle to the principal eigenvector is
// then at most about lanczosTol·‖S‖/gap, gap the distance from the largest
// eigenvalue to the next.
const (
	lanczosTol      = 1e-12
	lanczosMaxSteps = 128
)

// entry is a symmetric contribution: v is added at (i, j) and, if i ≠ j,
// at (j, i).
type entry struct {
	i, j int
	v    float64
}

// symSparse is a symmetric matrix in compressed sparse row form, both
// triangles stored.
type symSparse struct {
	start []int // row i's entries are start[i]:start[i+1]
	col   []int
	val   []float64
}

// mergeEntries sorts es by (min, max) index and sums repeated positions,
// dropping zeros, so the result does not depend on the order of es.
func mergeEntries(es []entry) []entry {
	for k, e := range es {
		es[k].i, es[k].j = min(e.i, e.j), max(e.i, e.j)
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		if c := cmp.Compare(a.i, b.i); c != 0 {
			return c
		}
		return cmp.Compare(a.j, b.j)
	})
	out := es[:0]
	for _, e := range es {
		if k := len(out) - 1; k >= 0 && out[k].i == e.i && out[k].j == e.j {
			out[k].v += e.v
			continue
		}
		out = append(out, e)
	}
	return slices.DeleteFunc(out, func(e entry) bool { return e.v == 0 })
}

// newSymSparse returns the n×n matrix of merged entries es.
func newSymSparse(n int, es []entry) *symSparse {
	s := &symSparse{start: make([]int, n+1)}
	for _, e := range es {
		s.start[e.i+1]++
		if e.i != e.j {
			s.start[e.j+1]++
		}
	}
	for i := range n {
		s.start[i+1] += s.start[i]
	}
	s.col = make([]int, s.start[n])
	s.val = make([]float64, s.start[n])
	fill := slices.Clone(s.start[:n])
	put := func(i, j int, v float64) {
		s.col[fill[i]], s.val[fill[i]] = j, v
		fill[i]++
	}
	for _, e := range es {
		put(e.i, e.j, e.v)
		if e.i != e.j {
			put(e.j, e.i, e.v)
		}
	}
	return s
}

// mulVec sets dst = S·x.
func (s *symSparse) mulVec(dst, x []float64) {
	for i := range dst {
		var sum float64
		for k := s.start[i]; k < s.start[i+1]; k++ {
			sum += s.val[k] * x[s.col[k]]
		}
		dst[i] = sum
	}
}

// principalEntries is PrincipalEigenvector for the n×n matrix made of es,
// for n > denseMax. A non-negative matrix is reduced to its non-zero rows:
// its largest eigenvalue is at least its largest entry, so the zero rows
// (eigenvalue 0) are never part of the principal eigenspace and get 0.
// The reduced matrix is decomposed densely if it has at most denseMax rows
// and by the Lanczos method otherwise. A matrix with a negative entry is
// decomposed densely as a whole.
func principalEntries(n int, es []entry) []float64 {
	v := make([]float64, n)
	es = mergeEntries(es)
	var big float64
	neg := false
	for _, e := range es {
		if math.IsNaN(e.v) || math.IsInf(e.v, 0) {
			return nanVec(v)
		}
		big = math.Max(big, math.Abs(e.v))
		neg = neg || e.v < 0
	}
	if big == 0 {
		return v
	}
	if neg {
		return denseEigen(denseOf(n, es))
	}
	row := make([]int, n) // reduced index + 1, 0 for a zero row
	var rows []int
	for _, e := range es {
		for _, x := range [2]int{e.i, e.j} {
			if row[x] == 0 {
				rows = append(rows, x)
				row[x] = -1
			}
		}
	}
	slices.Sort(rows)
	for k, x := range rows {
		row[x] = k + 1
	}
	for k, e := range es {
		es[k] = entry{row[e.i] - 1, row[e.j] - 1, e.v / big}
	}
	var p []float64
	if len(rows) <= denseMax {
		p = denseEigen(denseOf(len(rows), es))
	} else {
		p = lanczosPrincipal(newSymSparse(len(rows), es))
	}
	for k, x := range rows {
		v[x] = p[k]
	}
	return v
}

// denseOf returns the n×n matrix of merged entries es.
func denseOf(n int, es []entry) *mat.SymDense {
	m := mat.NewSymDense(n, nil)
	for _, e := range es {
		m.SetSym(e.i, e.j, e.v)
	}
	return m
}

// lanczosPrincipal returns the unit principal eigenvector of s,
// non-negative with every row non-zero and entries at most 1, by the
// Lanczos method with full reorthogonalisation started from the all-ones
// vector: O(entries + k·n) per step k, k at most lanczosMaxSteps.
//
// The Krylov space of the all-ones vector holds only its components on
// the eigenspaces of s, so for a repeated largest eigenvalue the Ritz
// vector is the normalised projection of the all-ones vector onto the
// eigenspace, which is PrincipalEigenvector's rule (Ritz values within a
// relative 1e-9 count as one, as there; see topRitz); for a non-negative
// matrix that projection is never zero (the eigenspace holds the
// non-negative Perron vector). The space is also small when the graph has
// many alike parts (copies of one application), whose differences the
// all-ones vector does not see: on the engine's windows of 16 shop copies
// it is exhausted within 24 steps.
//
// The principal eigenvector of a non-negative matrix is non-negative, so
// the Ritz vector's sign is chosen to make its sum positive and its
// remaining negative components, rounding or, when the step limit cuts
// the iteration short, approximation error, are set to 0 before
// normalising: a projection onto the non-negative vectors, which moves it
// no further from the eigenvector. When the gap between the largest
// eigenvalue and the next is too small for lanczosMaxSteps steps to
// resolve, the result is a non-negative unit vector close to the span of
// the nearly tied eigenvectors rather than the principal one alone (which
// the data then hardly determine).
func lanczosPrincipal(s *symSparse) []float64 {
	n := len(s.start) - 1
	var norm float64 // largest absolute row sum ≥ ‖s‖₂
	for i := range n {
		var sum float64
		for k := s.start[i]; k < s.start[i+1]; k++ {
			sum += math.Abs(s.val[k])
		}
		norm = math.Max(norm, sum)
	}
	q := make([]float64, n)
	for i := range q {
		q[i] = 1 / math.Sqrt(float64(n))
	}
	var basis [][]float64
	var alpha, beta []float64
	var ritz []float64
	maxSteps := min(n, lanczosMaxSteps)
	check := 8 // the next step whose Ritz pair is tested: 8, 16, 24, 36, 54, 81, 121
	for m := 1; ; m++ {
		basis = append(basis, q)
		w := make([]float64, n)
		s.mulVec(w, q)
		alpha = append(alpha, floats.Dot(q, w))
		// Full reorthogonalisation, twice ("twice is enough"), keeps the
		// basis orthonormal so no eigenvalue is found twice.
		for range 2 {
			for _, b := range basis {
				floats.AddScaled(w, -floats.Dot(b, w), b)
			}
		}
		b := floats.Norm(w, 2)
		last := m == maxSteps || b <= lanczosTol*norm
		if last || m == check {
			check += max(8, check/2) // O(m³) each: geometric steps bound the sum
			var res float64
			ritz, res = topRitz(alpha, beta, b)
			if last || res <= lanczosTol*norm {
				break
			}
		}
		beta = append(beta, b)
		floats.Scale(1/b, w)
		q = w
	}
	x := make([]float64, n)
	for k, c := range ritz {
		floats.AddScaled(x, c, basis[k])
	}
	if floats.Sum(x) < 0 {
		floats.Scale(-1, x)
	}
	for i := range x {
		x[i] = math.Max(x[i], 0)
	}
	if nrm := floats.Norm(x, 2); nrm > 0 && !math.IsInf(nrm, 0) {
		floats.Scale(1/nrm, x)
		return x
	}
	return nanVec(x)
}

// topRitz returns the Ritz vector, in the Lanczos basis, of the largest
// eigenvalue of the tridiagonal matrix with diagonal alpha and
// off-diagonal beta, and its residual b·|last component|, b the norm of
// the next Lanczos vector. Eigenvalues within the dense rule's relative
// 1e-9 of the largest count as the same, as in PrincipalEigenvector: the
// vector is then the projection of the first basis vector, the all-ones
// direction, onto their span.
func topRitz(alpha, beta []float64, b float64) ([]float64, float64) {
	m := len(alpha)
	t := mat.NewSymDense(m, nil)
	for i, a := range alpha {
		t.SetSym(i, i, a)
		if i+1 < m {
			t.SetSym(i, i+1, beta[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(t, true) {
		return nanVec(make([]float64, m)), math.Inf(1)
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	scale := math.Max(math.Abs(vals[0]), math.Abs(vals[m-1]))
	v := mat.Col(nil, m-1, &vecs)
	if m > 1 && vals[m-1]-vals[m-2] <= degenerate*scale {
		p := make([]float64, m)
		for k := m - 1; k >= 0 && vals[m-1]-vals[k] <= degenerate*scale; k-- {
			floats.AddScaled(p, vecs.At(0, k), mat.Col(nil, k, &vecs))
		}
		if nrm := floats.Norm(p, 2); nrm > degenerate {
			v = p
			floats.Scale(1/nrm, v)
		}
	}
	return v, b * math.Abs(v[m-1])
}
