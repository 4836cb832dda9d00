/* The fatbin nvcc places in .nv_fatbin for a translation unit with one PTX entry, for C programs that register
 * kernels the way nvcc's start-up code does without nvcc: a 16-byte container header (magic 0xBA55ED50, version 1,
 * header size, payload size), one 64-byte PTX entry header (kind 1, ISA 8.0, compute_XX), then the PTX text with
 * its NUL, padded to 8 bytes (ANALYSIS.md §1). */
#ifndef CUEMU_TEST_PTX_FATBIN_H
#define CUEMU_TEST_PTX_FATBIN_H
#include <stddef.h>
#include <string.h>

/* The container size for PTX of `ptx_size` bytes (its NUL included). */
#define PTX_FATBIN_SIZE(ptx_size) (16 + 64 + (((ptx_size) + 7) & ~(size_t)7))

static inline void ptx_fatbin_put(unsigned char* at, unsigned long long value, size_t bytes) { memcpy(at, &value, bytes); }

/* Lays out PTX_FATBIN_SIZE(ptx_size) bytes at `container` (zeroed beforehand, e.g. static storage). */
static inline void lay_out_ptx_fatbin(unsigned char* container, const char* ptx, size_t ptx_size, unsigned int compute)
{
    size_t payload = ((ptx_size + 7) & ~(size_t)7);
    ptx_fatbin_put(container, 0xBA55ED50u, 4);
    ptx_fatbin_put(container + 4, 1, 2);
    ptx_fatbin_put(container + 6, 16, 2);
    ptx_fatbin_put(container + 8, 64 + payload, 8);
    unsigned char* entry = container + 16;
    ptx_fatbin_put(entry, 1, 2);          /* kind: PTX */
    ptx_fatbin_put(entry + 2, 0x0101, 2);
    ptx_fatbin_put(entry + 4, 64, 4);     /* header size */
    ptx_fatbin_put(entry + 8, payload, 8);
    ptx_fatbin_put(entry + 0x18, 0, 2);   /* PTX ISA 8.0 */
    ptx_fatbin_put(entry + 0x1A, 8, 2);
    ptx_fatbin_put(entry + 0x1C, compute, 4);
    memcpy(entry + 64, ptx, ptx_size);
}

#endif
