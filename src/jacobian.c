/* jacobian.c - the input-output Jacobian and its spectrum (jacobian.h). */
#include <config.h>
#include "jacobian.h"
#include "blas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

jac_work *jac_alloc(const net *n)
{
  jac_work *j = calloc(1, sizeof *j);
  if (!j) return NULL;
  j->width = n->width;
  j->n_in = n->n_in;
  size_t hi = n->width > n->n_in ? n->width : n->n_in, lo = n->width < n->n_in ? n->width : n->n_in;
  j->nsv = lo;
  size_t m = n->width * hi;
  j->G = malloc(4 * m * sizeof(double));
  j->A = gsl_matrix_alloc(hi, lo);
  j->Q = gsl_matrix_alloc(lo, lo);
  j->S = gsl_vector_alloc(lo);
  if (!j->G || !j->A || !j->Q || !j->S) { jac_free(j); return NULL; }
  j->Gn = j->G + m;
  j->Gu = j->G + 2 * m;
  j->pend = j->G + 3 * m;
  return j;
}

void jac_free(jac_work *j)
{
  if (!j) return;
  free(j->G);
  if (j->A) gsl_matrix_free(j->A);
  if (j->Q) gsl_matrix_free(j->Q);
  if (j->S) gsl_vector_free(j->S);
  free(j);
}

void jac_matrix(const net *n, const net_work *w, size_t i, jac_work *j, double *J)
{
  size_t wd = n->width, k_res = n->arch.res_stride;
  double *G = j->G, *Gn = j->Gn, *Gu = j->Gu;
  /* G = d a^depth / d a^l, (wd, wd) while l >= 1; starts as the identity. */
  memset(G, 0, wd * wd * sizeof(double));
  for (size_t r = 0; r < wd; r++) G[r * wd + r] = 1.0;
  size_t pend_to = 0;  /* the layer whose a the pending skip reaches; 0: none */
  for (size_t l = n->depth; l >= 1; l--) {
    size_t fi = n->fan_in[l - 1];
    int end = net_block_end(n, l);
    if (end) {  /* a^l = a^{l-k} + s phi(h^l): the identity to a^{l-k} */
      memcpy(j->pend, G, wd * wd * sizeof(double));
      pend_to = l - k_res;
    }
    /* through phi (times s at a block end): columns times phi'(h^l) */
    const double *dp = w->dphi[l - 1] + i * wd;
    double s = end ? n->arch.res_scale : 1.0;
    for (size_t r = 0; r < wd; r++)
      for (size_t c = 0; c < wd; c++) Gu[r * wd + c] = G[r * wd + c] * (s * dp[c]);
    if (n->arch.norm == NORM_BATCH) {  /* statistics fixed: gamma / sigma per unit */
      const double *gm = net_gamma(n, l), *is = w->inv_std[l - 1];
      for (size_t r = 0; r < wd; r++)
        for (size_t c = 0; c < wd; c++) Gu[r * wd + c] *= gm[c] * is[c];
    } else if (n->arch.norm == NORM_LAYER) {  /* each row as a cotangent of this example */
      const double *gm = net_gamma(n, l), *uh = w->uhat[l - 1] + i * wd, is = w->inv_std[l - 1][i];
      for (size_t r = 0; r < wd; r++) {
        double *row = Gu + r * wd, m1 = 0.0, m2 = 0.0;
        for (size_t c = 0; c < wd; c++) { row[c] *= gm[c]; m1 += row[c]; m2 += row[c] * uh[c]; }
        m1 /= (double)wd;
        m2 /= (double)wd;
        for (size_t c = 0; c < wd; c++) row[c] = is * (row[c] - m1 - uh[c] * m2);
      }
    }
    /* through W^l: d/da^{l-1} = Gu W^l^T, (wd, fi) */
    double *out = l == 1 ? J : Gn;
    blas_gemm(0, 1, wd, fi, wd, 1.0, Gu, net_W(n, l), 0.0, out);
    if (pend_to && pend_to == l - 1) {
      for (size_t t = 0; t < wd * wd; t++) out[t] += j->pend[t];
      pend_to = 0;
    }
    double *tmp = G; G = Gn; Gn = tmp;
  }
}

static int descending(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

int jac_singular_values(const net *n, const net_work *w, size_t i, jac_work *j, double *sv)
{
  size_t wd = j->width, ni = j->n_in;
  double *J = j->pend;  /* free at the first layer, where J is written */
  jac_matrix(n, w, i, j, J);
  /* GSL decomposes (M, N) matrices with M >= N: J, or J^T when wider. */
  for (size_t r = 0; r < wd; r++)
    for (size_t c = 0; c < ni; c++) {
      double v = J[r * ni + c];
      if (!isfinite(v)) return SB_EFAIL;
      if (wd >= ni) gsl_matrix_set(j->A, r, c, v);
      else gsl_matrix_set(j->A, c, r, v);
    }
  if (gsl_linalg_SV_decomp_jacobi(j->A, j->Q, j->S) != GSL_SUCCESS) return SB_EFAIL;
  for (size_t k = 0; k < j->nsv; k++) sv[k] = gsl_vector_get(j->S, k);
  qsort(sv, j->nsv, sizeof *sv, descending);
  return SB_OK;
}

void jac_summarize(const double *sv, size_t inputs, size_t nsv, jac_summary *s)
{
  size_t m = inputs * nsv;
  if (m == 0) { s->msv = s->sv2_var = s->sv_max = s->log10_cond = NAN; return; }
  double mean = 0.0, mx = 0.0, cond = 0.0;
  for (size_t k = 0; k < m; k++) { mean += sv[k] * sv[k]; if (sv[k] > mx) mx = sv[k]; }
  mean /= (double)m;
  double var = 0.0;
  for (size_t k = 0; k < m; k++) { double d = sv[k] * sv[k] - mean; var += d * d; }
  for (size_t x = 0; x < inputs; x++) {
    const double *v = sv + x * nsv;  /* descending */
    cond += v[nsv - 1] > 0.0 ? log10(v[0] / v[nsv - 1]) : INFINITY;
  }
  s->msv = mean;
  s->sv2_var = m > 1 ? var / (double)(m - 1) : NAN;
  s->sv_max = mx;
  s->log10_cond = cond / (double)inputs;
}
