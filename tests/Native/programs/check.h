/* Minimal checking for the C test programs: every failed CHECK prints a FAIL line; main returns the count. */
#ifndef CUEMU_TEST_CHECK_H
#define CUEMU_TEST_CHECK_H
#include <stdio.h>

static int check_failures;

#define CHECK(condition, ...)                                                   \
    do {                                                                        \
        if (!(condition)) {                                                     \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #condition);         \
            printf(__VA_ARGS__);                                                \
            printf("\n");                                                       \
            check_failures++;                                                   \
        }                                                                       \
    } while (0)

#define CHECK_EQ(expected, actual)                                              \
    CHECK((long long)(expected) == (long long)(actual), "expected %lld, got %lld", \
          (long long)(expected), (long long)(actual))

#endif
