/* fuzz_idx.c - libFuzzer harness of the IDX dataset reader: the input's
 * first two bytes (big-endian, modulo what follows) say where the images
 * file ends and the labels file begins; both are read as idx:IMAGES,LABELS
 * by dataio_read, as fuzz_csv.c reads a CSV file (fuzz_dataio.h). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dataio.h"
#include "fuzz.h"
#include "fuzz_dataio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2) return 0;
  size_t rest = size - 2, split = ((size_t)data[0] << 8 | data[1]) % (rest + 1);
  char images[sizeof fuzz_paths[0]], text[2 * sizeof fuzz_paths[0] + 2];
  snprintf(images, sizeof images, "%s", fuzz_file("images", data + 2, split));
  snprintf(text, sizeof text, "%s,%s", images, fuzz_file("labels", data + 2 + split, rest - split));
  fuzz_dataio(DATAIO_IDX, text);
  return 0;
}
