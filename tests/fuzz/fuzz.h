/*
 * The libFuzzer entry points every target in tests/fuzz defines.
 *
 * LLVMFuzzerTestOneInput() is required; LLVMFuzzerInitialize() is
 * optional and runs once before the first input (the same in libFuzzer
 * binaries and in replay-main.c).
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
