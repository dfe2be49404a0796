/* fuzz_csv.c - libFuzzer harness of the CSV dataset reader: the input is
 * the file of csv:FILE, read by dataio_read as data_resolve and data_alloc
 * do: first to learn its shape (nothing kept), then again keeping the
 * first examples into buffers of that shape, which must give the same
 * answer; once into small fixed buffers, against a given dimension and
 * number of classes; then loaded and scaled by data.c as a grid's dataset
 * (fuzz_dataio.h). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "dataio.h"
#include "fuzz.h"
#include "fuzz_dataio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_dataio(DATAIO_CSV, fuzz_file("in.csv", data, size));
  return 0;
}
