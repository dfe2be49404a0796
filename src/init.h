/* init.h - weight initialization schemes (the manual, "The network").
 *
 * Weight matrices are (fan_in, fan_out), row-major: W[i*fan_out + j] connects
 * input unit i to output unit j.  Biases are zero except for `critical`
 * and `meanfield`. */
#ifndef SB_INIT_H
#define SB_INIT_H

#include <stddef.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>
#include "err.h"

typedef enum {
  INIT_STANDARD,        /* U[-1/sqrt(fan_in), 1/sqrt(fan_in)]          */
  INIT_NORMAL,          /* N(0, STD^2), "normal:STD"                    */
  INIT_UNIFORM,         /* U[-A, A], "uniform:A"                        */
  INIT_XAVIER_UNIFORM,  /* U[+-sqrt(6/(fan_in+fan_out))]                */
  INIT_XAVIER_NORMAL,   /* N(0, 2/(fan_in+fan_out))                     */
  INIT_HE_NORMAL,       /* N(0, 2/fan_in)                               */
  INIT_HE_UNIFORM,      /* U[+-sqrt(6/fan_in)]                          */
  INIT_LECUN_NORMAL,    /* N(0, 1/fan_in)                               */
  INIT_ORTHOGONAL,      /* GAIN * Q from QR of a Gaussian, "orthogonal[:GAIN]" */
  INIT_CRITICAL,        /* N(0, sigma_w2/fan_in), biases N(0, SB2), "critical[:SB2]";
                           sigma_w2 is resolved per activation by theory.h */
  INIT_MEANFIELD,       /* N(0, SW2/fan_in), biases N(0, SB2), "meanfield:SW2[:SB2]" */
  INIT_IDENTITY,        /* SCALE * I, "identity[:SCALE]": square matrices only (a recurrent
                           cell's W_hh: Le, Jaitly & Hinton 2015's IRNN) */
  INIT_COUNT
} init_kind;

typedef struct init_spec {
  init_kind kind;
  double param;     /* STD, A, GAIN or SB2; NaN when the scheme has none */
  double sigma_w2;  /* critical: resolved weight variance x fan_in (NaN until
                       resolved); meanfield: SW2; NaN otherwise            */
} init_spec;

const char *init_kind_name(init_kind kind);
/* One line per scheme, "SYNTAX<TAB>what it draws" (satbench list inits). */
void init_list(FILE *f);
/* The schemes as the completion offers them (satbench list --complete),
 * one a line after prefix: "he_normal", "normal:" (a parameter follows). */
void init_complete(FILE *f, const char *prefix);
/* Parse "he_normal", "normal:0.05", "orthogonal:1.2", ...; SB_EUSAGE with a
 * message (nearest valid name suggested) on bad names or parameters. */
int init_parse(const char *text, init_spec *out, sb_error *err);
/* Canonical text of a spec, e.g. "normal:0.05", "orthogonal" (gain 1). */
void init_format(const init_spec *spec, char *buf, size_t size);

/* Variance of one weight entry under this scheme for a layer of the given
 * fans; sigma_w2 in mean-field notation is this times fan_in. */
double init_weight_var(const init_spec *spec, size_t fan_in, size_t fan_out);
/* sigma_w2 = fan_in x init_weight_var: the weight variance in mean-field
 * units (standard 1/3, lecun_normal 1, he_* 2, xavier_* 1 at equal fans,
 * orthogonal:G G^2 at equal fans, critical and meanfield their SW2; critical
 * only once resolved, NaN before).  The tables' sigma_w2 is that of a
 * hidden layer (fan_in = fan_out = width). */
double init_sigma_w2(const init_spec *spec, size_t fan_in, size_t fan_out);
/* Variance of one bias entry (sigma_b2): SB2 for critical and meanfield,
 * else 0. */
double init_bias_var(const init_spec *spec);

/* Fill W (fan_in, fan_out) and b (fan_out) from rng.  May allocate scratch
 * (orthogonal); returns SB_EFAIL on allocation failure. */
int init_fill(const init_spec *spec, double *W, double *b,
              size_t fan_in, size_t fan_out, gsl_rng *rng, sb_error *err);

#endif
