/* jacobian.c - the input-output Jacobian and its spectrum (jacobian.h). */
#include <config.h>
#include "jacobian.h"
#include "blas.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>

/* LAPACK's dgesdd, singular values only (jobz 'N': bidiagonalization and
 * dqds), on J as it lies in memory: row-major (width, n_in) is the
 * column-major (n_in, width) J^T, which has the same singular values, so
 * no copy and no transpose.  lwork < 0 asks for the workspace's size. */
static lapack_int svd_values(size_t rows, size_t cols, double *a, double *s, double *work, lapack_int lwork,
                             lapack_int *iwork)
{
  double unused = 0.0;  /* U and V^T are not referenced with jobz 'N' */
  return LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'N', (lapack_int)rows, (lapack_int)cols, a, (lapack_int)rows, s,
                             &unused, 1, &unused, 1, work, lwork, iwork);
}

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
  j->iwork = malloc(8 * lo * sizeof(lapack_int));
  if (!j->G || !j->iwork) { jac_free(j); return NULL; }
  j->Gn = j->G + m;
  j->Gu = j->G + 2 * m;
  j->pend = j->G + 3 * m;
  /* dgesdd's workspace, asked once: the probe calls it for every input
   * at every logged step */
  double size = 0.0, sv = 0.0;
  if (svd_values(n->n_in, n->width, j->pend, &sv, &size, -1, j->iwork) != 0 || !(size >= 1.0)) {
    jac_free(j);
    return NULL;
  }
  j->lwork = (size_t)size;
  j->work = malloc(j->lwork * sizeof *j->work);
  if (!j->work) { jac_free(j); return NULL; }
  return j;
}

void jac_free(jac_work *j)
{
  if (!j) return;
  free(j->G);
  free(j->work);
  free(j->iwork);
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

int jac_singular_values(const net *n, const net_work *w, size_t i, jac_work *j, double *sv)
{
  size_t wd = j->width, ni = j->n_in;
  double *J = j->pend;  /* free at the first layer, where J is written */
  jac_matrix(n, w, i, j, J);
  for (size_t k = 0; k < wd * ni; k++)
    if (!isfinite(J[k])) return SB_EFAIL;
  /* info > 0: dqds did not converge (LAPACK's only failure on finite input) */
  if (svd_values(ni, wd, J, sv, j->work, (lapack_int)j->lwork, j->iwork) != 0) return SB_EFAIL;
  return SB_OK;
}

double jac_floor(size_t side, double sv_max)
{
  return (double)side * DBL_EPSILON * sv_max;
}

size_t jac_rank(const double *sv, size_t nsv, size_t side)
{
  if (nsv == 0) return 0;
  double f = jac_floor(side, sv[0]);
  size_t r = 0;
  while (r < nsv && sv[r] > f) r++;
  return r;
}

void jac_summarize(const double *sv, size_t inputs, size_t nsv, size_t side, jac_summary *s)
{
  size_t m = inputs * nsv;
  if (m == 0) { s->msv = s->sv2_var = s->sv_max = s->log10_cond = s->rank = NAN; return; }
  double mean = 0.0, mx = 0.0, cond = 0.0;
  size_t rank = nsv;
  for (size_t k = 0; k < m; k++) { mean += sv[k] * sv[k]; if (sv[k] > mx) mx = sv[k]; }
  mean /= (double)m;
  double var = 0.0;
  for (size_t k = 0; k < m; k++) { double d = sv[k] * sv[k] - mean; var += d * d; }
  for (size_t x = 0; x < inputs; x++) {
    const double *v = sv + x * nsv;  /* descending */
    size_t r = jac_rank(v, nsv, side);
    if (r < rank) rank = r;
    cond += r == nsv ? log10(v[0] / v[nsv - 1]) : INFINITY;
  }
  s->msv = mean;
  s->sv2_var = m > 1 ? var / (double)(m - 1) : NAN;
  s->sv_max = mx;
  s->log10_cond = cond / (double)inputs;
  s->rank = (double)rank;
}
